export * from './canary.js';
export * from './fetch-artifact.js';
export * from './rollback.js';
export * from './extract.js';
export * from './quiet.js';
export * from './status-codec.js';
export * from './phased.js';
export * from './phased-plan.js';
