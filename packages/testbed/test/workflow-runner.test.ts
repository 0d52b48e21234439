import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GitHubEmulator, WorkflowRunner, createRemote, git, seedRepository } from '../src/index.js';

let gh: GitHubEmulator;
let runner: WorkflowRunner;
let dir: string;
beforeAll(async () => {
  const remote = createRemote();
  const seed = seedRepository(remote);
  gh = await GitHubEmulator.start({ remote });
  runner = new WorkflowRunner({
    remote,
    repository: gh.repository,
    sha: git(seed, ['rev-parse', 'HEAD']),
    apiUrl: gh.url,
    token: 't',
    vars: { GREETING: 'hello' },
  });
  dir = mkdtempSync(join(tmpdir(), 'wf-'));
  mkdirSync(join(dir, 'w'));
});
afterAll(() => gh.stop());

function wf(name: string, text: string): string {
  const file = join(dir, 'w', name);
  writeFileSync(file, text);
  return file;
}

describe('local workflow runner', () => {
  it('runs jobs in needs order with step and job outputs, env, GITHUB_ENV, if and dispatch inputs', async () => {
    const file = wf(
      'a.yml',
      `name: a
on:
  workflow_dispatch:
    inputs:
      who: { type: choice, options: [world, moon], default: world }
      loud: { type: boolean, default: false }
permissions: {}
jobs:
  second:
    needs: first
    runs-on: ubuntu-latest
    outputs:
      said: \${{ steps.say.outputs.said }}
    steps:
      - id: say
        env:
          MSG: \${{ needs.first.outputs.msg }}
        run: echo "said=$MSG|\${FROM_ENV:-not carried to other jobs}" >> "$GITHUB_OUTPUT"
        shell: bash
  first:
    runs-on: ubuntu-latest
    outputs:
      msg: \${{ steps.make.outputs.msg }}
    steps:
      - run: echo "FROM_ENV=via-env" >> "$GITHUB_ENV"
      - id: make
        env:
          WHO: \${{ inputs.who }}
          GREETING: \${{ vars.GREETING }}
        run: echo "msg=$GREETING $WHO $FROM_ENV" >> "$GITHUB_OUTPUT"
      - if: \${{ inputs.loud }}
        run: exit 1
      - if: failure()
        run: echo never
`,
    );
    const r = await runner.run({ file, event: 'workflow_dispatch', inputs: { who: 'moon' } });
    expect(r.conclusion).toBe('success');
    expect(r.jobs.first?.steps.map((s) => s.conclusion)).toEqual(['success', 'success', 'skipped', 'skipped']);
    expect(r.jobs.second?.outputs).toEqual({ said: 'hello moon via-env|not carried to other jobs' });
    await expect(runner.run({ file, event: 'workflow_dispatch', inputs: { who: 'mars' } })).rejects.toThrow(
      'input who must be one of world, moon',
    );
    const failing = await runner.run({ file, event: 'workflow_dispatch', inputs: { loud: true } });
    expect(failing.conclusion).toBe('failure');
    expect(failing.jobs.first?.steps.map((s) => s.conclusion)).toEqual(['success', 'success', 'failure', 'success']);
    expect(failing.jobs.second?.conclusion).toBe('skipped');
  });

  it('refuses what it does not support, with a message', async () => {
    const matrix = wf(
      'm.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        n: [1, 2]\n    steps:\n      - run: echo\n',
    );
    await expect(runner.run({ file: matrix, event: 'push' })).rejects.toThrow(
      "job a: 'strategy' is not supported by the local workflow runner",
    );
    const remote = wf(
      'r.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@0123456789012345678901234567890123456789\n',
    );
    const r = await runner.run({ file: remote, event: 'push' });
    expect(r.jobs.a?.steps[0]?.error).toMatch(/remote action docker\/login-action has no local equivalent/);
    await expect(runner.run({ file: remote, event: 'workflow_dispatch' })).rejects.toThrow(
      'does not run on workflow_dispatch',
    );
    const invalid = wf('i.yml', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    await expect(runner.run({ file: invalid, event: 'push' })).rejects.toThrow(/is not a valid workflow/);
  });

  it("models GitHub's concurrency groups: one running, one pending, a newer pending cancels the older", async () => {
    const file = wf(
      'c.yml',
      `name: c
on:
  workflow_dispatch:
    inputs:
      tag: { type: string, required: true }
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    concurrency:
      group: deploy-\${{ vars.GREETING }}
      cancel-in-progress: false
    steps:
      - env:
          TAG: \${{ inputs.tag }}
        run: sleep 1 && echo "done $TAG"
`,
    );
    const first = runner.run({ file, event: 'workflow_dispatch', inputs: { tag: 'a' } });
    await new Promise((r) => setTimeout(r, 200));
    const second = runner.run({ file, event: 'workflow_dispatch', inputs: { tag: 'b' } });
    await new Promise((r) => setTimeout(r, 100));
    const third = runner.run({ file, event: 'workflow_dispatch', inputs: { tag: 'c' } });
    const [a, b, c] = await Promise.all([first, second, third]);
    expect([a.conclusion, b.conclusion, c.conclusion]).toEqual(['success', 'cancelled', 'success']);
    expect(b.jobs.deploy?.conclusion).toBe('cancelled');
    const events = runner.groups.events.filter((e) => e.endsWith('(deploy-hello)'));
    expect(events.map((e) => e.replace(/#\d+/g, ''))).toEqual([
      'deploy: running (deploy-hello)',
      'deploy: pending (deploy-hello)',
      'deploy: cancelled, replaced by deploy (deploy-hello)',
      'deploy: pending (deploy-hello)',
      'deploy: running (deploy-hello)',
    ]);
  });
});
