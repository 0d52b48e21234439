import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, loadManifest } from './lib/manifest.js';

const actions = readdirSync(join(ROOT, 'actions')).filter((n) => existsSync(join(ROOT, 'actions', n, 'action.yml')));

describe('every action.yml', () => {
  it('there is at least one action', () => {
    expect(actions.length).toBeGreaterThan(0);
  });

  describe.each(actions)('%s', (name) => {
    const m = loadManifest(join(ROOT, 'actions', name));
    it('is valid for GitHub’s action parser', () => {
      expect(m.errors).toEqual([]);
      expect(m.template.name).toBeTruthy();
      expect(m.template.description).toBeTruthy();
    });
    it('runs on node24 from a committed bundle', () => {
      const runs = m.template.runs as { using: string; main: string; post?: string };
      expect(runs.using).toBe('node24');
      expect(runs.main).toBe(`../../dist/${name}/index.js`);
      expect(existsSync(resolve(m.dir, runs.main))).toBe(true);
      if (runs.post) {
        expect(runs.post).toBe(`../../dist/${name}/post/index.js`);
        expect(existsSync(resolve(m.dir, runs.post))).toBe(true);
      }
    });
    it('documents every input and output', () => {
      for (const i of m.template.inputs ?? [])
        expect([i.id, i.description?.trim()]).toEqual([i.id, expect.any(String)]);
      for (const o of m.template.outputs ?? [])
        expect([o.id, o.description?.trim()]).toEqual([o.id, expect.any(String)]);
      for (const i of m.template.inputs ?? []) expect(i.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    });
  });

  it('READMEs are generated from action.yml (npm run docs)', () => {
    expect(() => execFileSync('node', ['scripts/docs.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
  });
});

describe('the runtime the runner uses', () => {
  const actions = readdirSync(join(ROOT, 'actions')).filter((n) => existsSync(join(ROOT, 'actions', n, 'action.yml')));

  it('runs every bundle on Node 24 (runs.using: node24), and each still loads and answers the same on Node 20 (engines >= 20)', async () => {
    const { runAction } = await import('@rollgate/testbed');
    const node24 = join(ROOT, 'node_modules', '.cache', 'rollgate', 'node24', 'bin', 'node');
    expect(execFileSync(node24, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
    // The harness really starts a node24 action with Node 24, and with Node 20 when told to.
    const probe = join(ROOT, 'packages', 'testbed', 'test', 'fixtures', 'probe');
    expect((await runAction({ action: probe, post: false })).outputs.node).toMatch(/^v24\./);
    expect((await runAction({ action: probe, post: false, node: process.execPath })).outputs.node).toBe(
      process.version,
    );
    for (const action of actions) {
      // Inputs each action refuses early, with one error line (bad input, or no git repository here).
      const inputs = { 'github-token': 'ghs_x', environment: '', reports: '', command: '', version: '' };
      const on24 = await runAction({ action, inputs, post: false });
      const on20 = await runAction({ action, inputs, post: false, node: process.execPath });
      expect({ action, exit: on24.exitCode, error: on24.error }).toEqual({
        action,
        exit: 1,
        error: expect.stringMatching(/^\S.{10,}$/),
      });
      expect({ action, exit: on20.exitCode, error: on20.error }).toEqual({
        action,
        exit: on24.exitCode,
        error: on24.error,
      });
    }
  }, 120_000);
});
