export * from './client.js';
export * from './releases.js';
