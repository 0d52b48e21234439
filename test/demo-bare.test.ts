/**
 * `npm ci && npm run demo` in a fresh checkout on a machine without nginx, HAProxy or
 * Prometheus. The checkout is this tree's files as git lists them (tracked and new, not
 * ignored: no node_modules, so no Node 24 in its cache); the PATH is this one with those three
 * servers hidden (every other program of their folders stays reachable). The demo must fetch
 * Node 24 itself, say what is missing and what to install, run the consumer's road over
 * examples/router, skip the roads that need the servers, and end green.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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

/** A fresh checkout of this tree: the files git lists (tracked and new, not ignored), none it has deleted. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-fresh-'));
  const list = (args: string[]) =>
    spawnSync('git', ['ls-files', '-z', ...args], { cwd: ROOT, encoding: 'utf8' })
      .stdout.split('\0')
      .filter(Boolean);
  const deleted = new Set(list(['-d']));
  for (const f of list(['-c', '-o', '--exclude-standard']))
    if (!deleted.has(f)) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  return dir;
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run demo without nginx, HAProxy and Prometheus', () => {
  it('installs, fetches Node 24, runs the consumer road over examples/router, names what to install, and ends green', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rollgate-bare-path-'));
    const checkout = freshCheckout();
    try {
      const PATH = pathWithout(HIDDEN, scratch);
      const env: NodeJS.ProcessEnv = { ...process.env, PATH };
      delete env.NODE_OPTIONS;
      const install = await npm(['ci', '--prefer-offline', '--no-audit', '--no-fund'], checkout, env);
      expect(install).toMatchObject({ code: 0 });
      expect(existsSync(join(checkout, 'node_modules', '.cache', 'rollgate', 'node24'))).toBe(false);
      const { code, output } = await npm(['run', '--silent', 'demo'], checkout, env);
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(output).toContain('preflight: fetching Node 24 for the action bundles');
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
      rmSync(checkout, { recursive: true, force: true });
    }
  }, 900_000);
});
