#!/usr/bin/env node
// The test's "deploy command": starts the restored release from its extracted artifact on
// ROLLGATE_ADDRESS, detached, and waits until it answers. Args: <version> <artifact dir>.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [version, dir] = process.argv.slice(-2);
const port = process.env.ROLLGATE_ADDRESS.split(':').at(-1);
const recorded = readFileSync(join(dir, 'VERSION'), 'utf8').trim();
if (recorded !== version) throw new Error(`artifact holds ${recorded}, not ${version}`);
const child = spawn(process.execPath, [join(dir, 'server.mjs')], {
  env: { ...process.env, VERSION: recorded, PORT: port },
  detached: true,
  stdio: 'ignore',
});
child.unref();
writeFileSync(process.env.DEPLOY_PID_FILE, String(child.pid));
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok) process.exit(0);
  } catch {
    // not answering yet: try again
  }
  await new Promise((r) => setTimeout(r, 100));
}
throw new Error('the restored service did not start');
