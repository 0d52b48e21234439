import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    const mars = await runner.run({ file, event: 'workflow_dispatch', inputs: { who: 'mars' } });
    expect(mars).toEqual({
      conclusion: 'failure',
      jobs: {},
      outputs: {},
      refused: "Provided value 'mars' for input 'who' not in the list of allowed values: world, moon",
    });
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
    expect((await runner.run({ file: remote, event: 'workflow_dispatch' })).refused).toBe(
      'r.yml does not run on workflow_dispatch',
    );
    const invalid = wf('i.yml', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n');
    expect((await runner.run({ file: invalid, event: 'push' })).refused).toMatch(
      /^i\.yml: The workflow is not valid\. /,
    );
  });

  it("kills a step past its timeout-minutes, then a job past its own, with the runner's messages", async () => {
    const pidFile = join(dir, 'background.pid');
    const file = wf(
      't.yml',
      `on: push
permissions: {}
jobs:
  step:
    runs-on: ubuntu-latest
    steps:
      - name: slow
        timeout-minutes: 0.05
        run: |
          sleep 60 &
          echo "$!" > ${pidFile}
          sleep 60
      - if: always()
        run: echo after
  job:
    runs-on: ubuntu-latest
    timeout-minutes: 0.05
    steps:
      - run: sleep 60
      - name: cleanup
        if: always()
        run: echo never
  bad:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: \${{ vars.GREETING }}
        run: echo never
`,
    );
    const started = Date.now();
    try {
      const r = await runner.run({ file, event: 'push' });
      // Three seconds each, not the sleeps' minute: a process left in the background does not hold the step.
      expect(Date.now() - started).toBeLessThan(40_000);
      expect(r.jobs.step?.steps.map((x) => [x.conclusion, x.error])).toEqual([
        ['failure', "The action 'slow' has timed out after 0.05 minutes."],
        ['success', undefined],
      ]);
      expect(r.jobs.job?.steps.map((x) => [x.conclusion, x.error])).toEqual([
        ['failure', 'The job has exceeded the maximum execution time of 0.05 minutes.'],
        ['failure', 'The job has exceeded the maximum execution time of 0.05 minutes.'],
      ]);
      expect(r.jobs.bad?.steps[0]?.error).toBe(
        'step run 1: timeout-minutes: expected a positive number of minutes, got "${{ vars.GREETING }}"',
      );
      expect(r.conclusion).toBe('failure');
    } finally {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
    }
  }, 60_000);

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
  it("refuses what GitHub refuses before a run starts, with GitHub's reason and no job run", async () => {
    const dispatch = wf(
      'd.yml',
      'on:\n  workflow_dispatch:\n    inputs:\n      version: { type: string, required: true }\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ran\n',
    );
    const unknown = await runner.run({
      file: dispatch,
      event: 'workflow_dispatch',
      inputs: { version: '1', env: 'x' },
    });
    expect(unknown).toEqual({
      conclusion: 'failure',
      jobs: {},
      outputs: {},
      refused: 'Unexpected inputs provided: ["env"]',
    });
    expect((await runner.run({ file: dispatch, event: 'workflow_dispatch' })).refused).toBe(
      "Required input 'version' not provided",
    );
    // The nested job asks for deployments: write; the calling job grants only contents: read.
    const workflows = join(dir, '.github', 'workflows');
    mkdirSync(workflows, { recursive: true });
    writeFileSync(
      join(workflows, 'called.yml'),
      'on:\n  workflow_call:\n    inputs:\n      tag: { type: string }\npermissions: {}\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    permissions: { contents: read, deployments: write }\n    steps:\n      - run: echo shipped\n',
    );
    const caller = (job: string) => {
      const file = join(workflows, 'caller.yml');
      writeFileSync(
        file,
        `on: push\npermissions: {}\njobs:\n  first:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo first\n  call:\n    needs: first\n${job}    uses: ./.github/workflows/called.yml\n`,
      );
      return file;
    };
    const skipped = caller("    if: github.event_name == 'schedule'\n    permissions: { contents: read }\n");
    const refused = await runner.run({ file: skipped, event: 'push', root: dir });
    expect(refused.refused).toBe(
      "Error calling workflow './.github/workflows/called.yml'. The nested job 'ship' is requesting 'deployments: write', but is only allowed 'deployments: none'.",
    );
    expect(refused.jobs).toEqual({});
    const extra = caller(
      '    permissions: { contents: read, deployments: write }\n    with: { tag: v1, channel: beta }\n',
    );
    expect((await runner.run({ file: extra, event: 'push', root: dir })).refused).toBe(
      'job call: Invalid input, channel is not defined in the referenced workflow.',
    );
    const granted = caller('    permissions: { contents: read, deployments: write }\n    with: { tag: v1 }\n');
    const ran = await runner.run({ file: granted, event: 'push', root: dir });
    expect(ran.conclusion).toBe('success');
    expect(ran.jobs.call?.conclusion).toBe('success');
  });
});
