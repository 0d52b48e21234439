#!/usr/bin/env node
// Finds the system programs the tests run (nginx, HAProxy and Prometheus for the canary and rollback
// tests, unzip/zstd for the build tests, git, tar), after Node 24 for the action bundles
// (with --node-only, Node 24 alone: the demo's first step). Missing ones are installed with apt-get
// when this runs as root on Debian (as CI does); otherwise it stops at once with the exact
// command to run, instead of letting each test wait for a program that is not there.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The runner starts the actions with Node 24 (runs.using: node24); the test bed does too. Node's
// own build comes from the npm registry (node-<platform>-<arch>, a tarball with bin/node), once.
const NODE24 = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  'node_modules',
  '.cache',
  'rollgate',
  'node24',
);
const node24Works = () =>
  spawnSync(join(NODE24, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).stdout?.startsWith('v24.');
if (!node24Works()) {
  const pkg = `node-${process.platform}-${process.arch}@24`;
  console.log(`preflight: fetching Node 24 for the action bundles (npm pack ${pkg})`);
  const work = mkdtempSync(join(tmpdir(), 'node24-'));
  try {
    execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg} wrote no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    rmSync(NODE24, { recursive: true, force: true });
    mkdirSync(dirname(NODE24), { recursive: true });
    renameSync(join(work, 'package'), NODE24);
  } catch (error) {
    console.error(
      `preflight: could not fetch Node 24 (${error.message.split('\n')[0]}). The tests run the action bundles on Node 24, as the runner does; fetch it with:\n  npm pack ${pkg} && tar -xzf node-*.tgz && mv package ${NODE24}`,
    );
    process.exit(1);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!node24Works()) {
    console.error(`preflight: ${join(NODE24, 'bin', 'node')} does not run.`);
    process.exit(1);
  }
}

// --node-only (npm run demo): Node 24 alone; the demo says itself which servers it runs without.
if (process.argv.includes('--node-only')) process.exit(0);

const NEEDED = {
  nginx: 'nginx',
  prometheus: 'prometheus',
  haproxy: 'haproxy',
  unzip: 'unzip',
  zstd: 'zstd',
  git: 'git',
  tar: 'tar',
};
const has = (bin) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'ignore' }).status === 0;
const missing = Object.entries(NEEDED)
  .filter(([bin]) => !has(bin))
  .map(([, pkg]) => pkg);
if (missing.length === 0) process.exit(0);
const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (root && has('apt-get')) {
  console.log(`preflight: installing ${missing.join(', ')} (${command})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  // Debian's packages would start their services: the tests start their own, on free ports, and
  // stop only what they started. policy-rc.d answering 101 keeps the packages from starting
  // anything (invoke-rc.d, https://people.debian.org/~hmh/invokerc.d-policyrc.d-specification.txt);
  // a policy-rc.d already there is left as it is.
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } finally {
    if (ours) unlinkSync(policy);
  }
  process.exit(0);
}
console.error(
  `preflight: the tests need ${missing.join(', ')}, not installed here. Run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`,
);
process.exit(1);
