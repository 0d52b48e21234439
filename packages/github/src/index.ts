export * from './client.js';
export * from './releases.js';
export * from './deployments.js';
export * from './provenance.js';
export * from './api-budget.js';
