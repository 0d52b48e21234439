#!/usr/bin/env node
// The sample deploy command with faults a test names (--fault=<kind>:<target>:<version>[:<ms>],
// any number), then the real deploy (examples/deploy/deploy.mjs) with the other arguments:
//   hang:web-2:1.2.0      starts `sleep 3600` in its process group, writes its pid to <pids>/hung.pid, never returns
//   slow:web-2:1.2.0:3000 waits 3 s before deploying
//   broken:web-3:1.0.0    deploys, then stops the service it started (its health check fails)
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const faults = args.filter((a) => a.startsWith('--fault=')).map((a) => a.slice(8).split(':'));
const rest = args.filter((a) => !a.startsWith('--fault='));
const pids = rest.find((a) => a.startsWith('--pids='))?.slice(7) ?? '';
const target = process.env.ROLLGATE_TARGET ?? '';
const version = process.env.ROLLGATE_VERSION ?? '';
const here = (kind) => faults.find(([k, t, v]) => k === kind && t === target && v === version);

if (here('hang')) {
  const sleeper = spawn('sleep', ['3600'], { stdio: 'ignore' });
  writeFileSync(join(pids, 'hung.pid'), String(sleeper.pid));
  await new Promise(() => undefined);
}
const slow = here('slow');
if (slow) await new Promise((ok) => setTimeout(ok, Number(slow[3] ?? 2000)));
const deploy = join(import.meta.dirname, '..', '..', 'examples', 'deploy', 'deploy.mjs');
const r = spawnSync(process.execPath, [deploy, ...rest], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
if (here('broken')) {
  const port = (process.env.ROLLGATE_ADDRESS ?? '').split(':').at(-1);
  process.kill(Number(readFileSync(join(pids, `${port}.pid`), 'utf8')), 'SIGKILL');
}
