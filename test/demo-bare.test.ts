/**
 * `npm run demo` on a machine without nginx, HAProxy or Prometheus: the PATH the demo gets is
 * this one with those three hidden (every other program of their folders stays reachable). The
 * demo must say what is missing and what to install, run the consumer's road over
 * examples/router, skip the roads that need the servers, and end green.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT } from './lib/manifest.js';

const HIDDEN = ['nginx', 'haproxy', 'prometheus'];

/** PATH with the servers hidden: a folder holding one of them is replaced by a folder of links to the rest. */
function pathWithout(names: string[], scratch: string): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir, i) => {
      if (!names.some((n) => existsSync(join(dir, n)))) return dir;
      const shadow = join(scratch, String(i));
      mkdirSync(shadow);
      for (const f of readdirSync(dir)) if (!names.includes(f)) symlinkSync(join(dir, f), join(shadow, f));
      return shadow;
    })
    .join(delimiter);
}

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run demo without nginx, HAProxy and Prometheus', () => {
  it('runs the consumer road over examples/router, names what to install, and ends green', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rollgate-bare-path-'));
    try {
      const PATH = pathWithout(HIDDEN, scratch);
      const { code, output } = await runDemo({ ...process.env, PATH });
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(output).toContain('nginx and Prometheus are not installed (apt-get install nginx prometheus)');
      expect(output).toContain("the environment chain's road is skipped");
      expect(output).toContain(
        "HAProxy or Prometheus is not installed (apt-get install haproxy prometheus): the fleet's road is skipped",
      );
      expect(output).toMatch(
        /✔ deliver v0\.1\.1 through a canary judged on its metrics: success\n.*job deliver: success \(tag v0\.1\.1, version 0\.1\.1, canary-outcome promoted\)/,
      );
      expect(output).toContain('✔ every step ended as the plan expects');
      expect(output).toMatch(/load: \d+ requests, 0 failed/);
      expect(output).toContain('done: services, router, HAProxy, emulators stopped');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 600_000);
});
