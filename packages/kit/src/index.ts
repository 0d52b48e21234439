export * from './errors.js';
export * from './inputs.js';
export * from './summary.js';
export * from './exec.js';
export * from './run.js';
export * from './redact.js';
export * from './values.js';
export * from './cancel.js';
