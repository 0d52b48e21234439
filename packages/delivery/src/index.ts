export * from './canary.js';
