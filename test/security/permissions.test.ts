/**
 * The test bed holds each job to the permissions its workflow grants, as GitHub does (see
 * packages/testbed/src/github/permissions.ts): the emulator refuses an endpoint whose scope the
 * job's token lacks, and removing one grant from a suite workflow fails the step that needs it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  WorkflowRunner,
  cap,
  createRemote,
  git,
  needs,
  seedRepository,
} from '@rollgate/testbed';

let gh: GitHubEmulator;
let publicGh: GitHubEmulator;
let sha: string;
let remote: string;
beforeAll(async () => {
  remote = createRemote();
  sha = git(seedRepository(remote), ['rev-parse', 'HEAD']);
  gh = await GitHubEmulator.start({ remote, private: true });
  publicGh = await GitHubEmulator.start({ remote });
});
afterAll(async () => {
  const violations = [...gh.violations.splice(0), ...publicGh.violations.splice(0)];
  await Promise.all([gh.stop(), publicGh.stop()]);
  expect(violations).toEqual([]);
});

const call = (emulator: GitHubEmulator, token: string, method: string, path: string, body?: object) =>
  fetch(`${emulator.repoUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as { message?: string } }));

describe('token permissions', () => {
  it('reads the scope each endpoint needs from GitHub docs data', () => {
    expect(needs('POST', '/repos/{owner}/{repo}/deployments')).toEqual([{ scope: 'deployments', access: 'write' }]);
    expect(needs('GET', '/repos/{owner}/{repo}/actions/runs/{run_id}')).toEqual([{ scope: 'actions', access: 'read' }]);
    // contents: write is what a workflow token can hold; the `workflows` alternative is not a requirement.
    expect(needs('POST', '/repos/{owner}/{repo}/releases')).toEqual([{ scope: 'contents', access: 'write' }]);
  });

  it("refuses what a token was not granted, with GitHub's message; write implies read; metadata always", async () => {
    const deployOnly = gh.issueToken({ deployments: 'write' });
    expect(await call(gh, deployOnly, 'GET', '/releases')).toEqual({
      status: 403,
      body: expect.objectContaining({ message: 'Resource not accessible by integration' }),
    });
    expect((await call(gh, deployOnly, 'GET', '/deployments')).status).toBe(200);
    expect((await call(gh, deployOnly, 'GET', '')).status).toBe(200);
    expect((await call(gh, deployOnly, 'GET', '/actions/runs/1')).status).toBe(403);
    const readOnly = gh.issueToken({ deployments: 'read', contents: 'read' });
    expect(
      (await call(gh, readOnly, 'POST', '/deployments', { ref: sha, environment: 'x', required_contexts: [] })).status,
    ).toBe(403);
    expect((await call(gh, readOnly, 'GET', '/releases')).status).toBe(200);
    expect(gh.denials).toEqual(
      expect.arrayContaining([{ method: 'GET', route: '/repos/{owner}/{repo}/releases', lacks: 'contents: read' }]),
    );
  });

  it('lets anyone read a public repository, but not write to it', async () => {
    const none = publicGh.issueToken({});
    expect((await call(publicGh, none, 'GET', '/releases')).status).toBe(200);
    expect(
      (await call(publicGh, none, 'POST', '/deployments', { ref: sha, environment: 'x', required_contexts: [] }))
        .status,
    ).toBe(403);
  });

  it('caps a called workflow by what the calling job granted', () => {
    expect(
      cap({ contents: 'write', deployments: 'write', actions: 'read' }, { contents: 'read', deployments: 'write' }),
    ).toEqual({ contents: 'read', deployments: 'write', actions: 'none' });
  });

  it("fails promote.yml's gate at the step that needs actions: read when that grant is removed", async () => {
    const original = readFileSync(join(REPO_ROOT, '.github', 'workflows', 'promote.yml'), 'utf8');
    const without = original.replace(/^\s+actions: read.*\n/m, '');
    expect(without).not.toBe(original);
    const dir = mkdtempSync(join(tmpdir(), 'perm-'));
    const runner = new WorkflowRunner({
      // The repository the job checks out (its deploy command may be a script in it).
      remote,
      repository: gh.repository,
      sha,
      apiUrl: gh.url,
      token: 'unused',
      runs: gh,
      tokens: gh,
      protection: gh.environments,
      vars: {
        CANARY_METRICS:
          '- name: errors\n  provider: http\n  query: http://127.0.0.1:9/stats\n  path: $.errors\n  max: 1\n',
        TRAFFIC_PROVIDER: 'command',
        TRAFFIC_COMMAND: 'true',
        TRAFFIC_READ_COMMAND: 'echo []',
      },
    });
    const run = async (text: string) => {
      // Named as the suite's workflow (its runs are the ones trusted to write records).
      const file = join(mkdtempSync(join(dir, 'w-')), 'promote.yml');
      writeFileSync(file, text);
      const r = await runner.run({
        file,
        event: 'workflow_dispatch',
        inputs: { environment: 'production', version: '1.2.3', action: 'promote' },
      });
      return r.jobs.gate?.steps.find((s) => s.name === 'gate')?.error ?? '';
    };
    expect(await run(without)).toContain(
      'The token cannot read workflow runs or commits (Resource not accessible by integration): give the job `actions: read` and `contents: read`',
    );
    // With the grant, the same step gets past the permission and stops on the data: no paused canary.
    expect(await run(original)).toContain('No canary of 1.2.3 is in progress in production');
  });
});
