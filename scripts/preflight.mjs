#!/usr/bin/env node
// Finds the system programs the tests run (nginx and Prometheus for the canary and rollback
// tests, unzip/zstd for the build tests, git, tar). Missing ones are installed with apt-get
// when this runs as root on Debian (as CI does); otherwise it stops at once with the exact
// command to run, instead of letting each test wait for a program that is not there.
import { execFileSync, spawnSync } from 'node:child_process';

const NEEDED = { nginx: 'nginx', prometheus: 'prometheus', unzip: 'unzip', zstd: 'zstd', git: 'git', tar: 'tar' };
const has = (bin) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { stdio: 'ignore' }).status === 0;
const missing = Object.entries(NEEDED).filter(([bin]) => !has(bin)).map(([, pkg]) => pkg);
if (missing.length === 0) process.exit(0);
const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (root && has('apt-get')) {
  console.log(`preflight: installing ${missing.join(', ')} (${command})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  // Debian's packages start the services: the tests start their own, on free ports.
  for (const name of ['nginx', 'prometheus']) spawnSync('pkill', ['-x', name], { stdio: 'ignore' });
  process.exit(0);
}
console.error(`preflight: the tests need ${missing.join(', ')}, not installed here. Run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`);
process.exit(1);
