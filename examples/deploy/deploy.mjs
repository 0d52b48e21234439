#!/usr/bin/env node
// The sample deploy command of the demo and the pipeline tests (DEPLOY_COMMAND): starts server.mjs
// from the extracted build artifact as <version> on ROLLGATE_ADDRESS, detached, and waits
// until it answers. In place: what it started earlier on that address is stopped first (a
// phased release redeploys each target). Args: [--pids=<dir>] <version> <artifact dir>. Writes a pid file under the
// --pids folder (default $TMPDIR/rollgate-deploys) so the caller can stop what it deployed, and
// only that: tests running at once each pass their own folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [version, dir] = process.argv.slice(-2);
const port = (process.env.ROLLGATE_ADDRESS ?? '').split(':').at(-1);
if (!port) throw new Error('ROLLGATE_ADDRESS is not set');
// The sample service's artifact holds server.mjs at its root; the consumer's, under dist/.
const server = existsSync(join(dir, 'server.mjs')) ? join(dir, 'server.mjs') : join(dir, 'dist', 'server.mjs');
const pids = process.argv.find((a) => a.startsWith('--pids='))?.slice(7) ?? join(tmpdir(), 'rollgate-deploys');
const pidFile = join(pids, `${port}.pid`);
if (existsSync(pidFile)) {
  const old = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(old, 'SIGTERM');
  } catch {
    // already gone
  }
  // Until the port is free again (the old process has exited).
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
const child = spawn(process.execPath, [server], {
  env: { ...process.env, VERSION: version, PORT: port },
  detached: true,
  stdio: 'ignore',
});
child.unref();
mkdirSync(pids, { recursive: true });
writeFileSync(pidFile, String(child.pid));
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok) {
      console.log(`deployed ${version} on 127.0.0.1:${port}`);
      process.exit(0);
    }
  } catch {
    // not answering yet: try again
  }
  await new Promise((r) => setTimeout(r, 100));
}
throw new Error(`${version} did not start on ${port}`);
