#!/usr/bin/env node
// The canary's `command` traffic provider for router.mjs:
//   traffic-command: node examples/router/route.mjs <routes file>
// The action appends <canary weight> <canary version> <stable version> and sets
// ROLLGATE_CANARY_ADDRESS / ROLLGATE_STABLE_ADDRESS. The file is replaced atomically, so the
// router never reads half of it.
import { renameSync, writeFileSync } from 'node:fs';

const [file, weightText, canaryVersion, stableVersion] = process.argv.slice(2);
const weight = Number(weightText);
if (!file || !Number.isInteger(weight) || weight < 0 || weight > 100 || !canaryVersion) {
  console.error('usage: route.mjs <routes file> <canary weight 0-100> <canary version> <stable version>');
  process.exit(2);
}
const canary = process.env.ROLLGATE_CANARY_ADDRESS ?? '';
const stable = process.env.ROLLGATE_STABLE_ADDRESS ?? '';
const backends = [];
if (weight < 100) {
  if (!stable) {
    console.error(`the stable address is needed for ${100 - weight}% on ${stableVersion}`);
    process.exit(2);
  }
  backends.push({ address: stable, version: stableVersion, weight: 100 - weight, role: 'stable' });
}
if (weight > 0) {
  if (!canary) {
    console.error(`the canary address is needed for ${weight}% on ${canaryVersion}`);
    process.exit(2);
  }
  backends.push({ address: canary, version: canaryVersion, weight, role: 'canary' });
}
writeFileSync(`${file}.tmp`, JSON.stringify({ backends }, null, 2) + '\n');
renameSync(`${file}.tmp`, file);
console.log(`routes: ${backends.map((b) => `${b.version} ${b.weight}%`).join(', ')}`);
