export * from './provider.js';
export * from './nginx.js';
export * from './command.js';
export * from './http.js';
export * from './inputs.js';
export * from './haproxy.js';
export * from './haproxy-fleet.js';
export * from './read.js';
