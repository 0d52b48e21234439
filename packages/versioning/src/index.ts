export * from './rules.js';
export * from './semver.js';
export * from './commits.js';
export * from './plan.js';
export * from './history.js';
export * from './changelog.js';
export * from './push.js';
export * from './release.js';
