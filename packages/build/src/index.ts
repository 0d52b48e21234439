export * from './archive.js';
export * from './manifest.js';
export * from './build.js';
export * from './cache.js';
