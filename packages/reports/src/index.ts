export * from './model.js';
export * from './tally.js';
export { parseJUnit } from './junit.js';
export { parseTrx } from './trx.js';
export { parseTap } from './tap.js';
export { parseReport, detectFormat, type Format } from './detect.js';
export * from './collect.js';
export * from './summary.js';
export * from './locate.js';
