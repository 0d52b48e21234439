export * from './source.js';
export * from './prometheus.js';
export * from './http.js';
