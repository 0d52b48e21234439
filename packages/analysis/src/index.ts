export * from './checks.js';
export * from './mann-whitney.js';
export * from './judge.js';
