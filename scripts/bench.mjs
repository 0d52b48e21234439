#!/usr/bin/env node
// Runs every benchmark under bench/ (each prints its ratios against an anchor measured
// in the same run). With a name, runs only bench/<name>.*
import { readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'bench');
const only = process.argv[2];
const benches = existsSync(dir)
  ? readdirSync(dir).filter((f) => /\.bench\.(ts|mjs)$/.test(f) && (!only || f.startsWith(`${only}.`)))
  : [];
if (benches.length === 0) {
  console.log(only ? `no benchmark named ${only}` : 'no benchmarks yet');
  process.exit(only ? 1 : 0);
}
let failed = 0;
for (const file of benches.sort()) {
  console.log(`\n# ${file}`);
  const r = spawnSync('npx', ['tsx', join(dir, file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
