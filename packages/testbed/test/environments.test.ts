/**
 * The emulator's environments and the runner together, as GitHub documents a job with
 * `environment:` (environments.ts cites the pages): required reviewers through the
 * pending-deployments API, prevent self-review, the wait timer, deployment branch and tag
 * policies, and the environment's vars and secrets.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GitHubEmulator, WorkflowRunner, createRemote, git, seedRepository } from '../src/index.js';

let gh: GitHubEmulator;
let remote: string;
let sha: string;
let file: string;
const log: string[] = [];

const runner = (ref = 'refs/heads/main') =>
  new WorkflowRunner({
    remote,
    repository: gh.repository,
    sha,
    ref,
    apiUrl: gh.url,
    token: 't',
    runs: gh,
    protection: gh.environments,
    vars: { WHERE: 'repository', KEEP: 'repo-only' },
    log: (l) => log.push(l),
  });

beforeAll(async () => {
  remote = createRemote();
  sha = git(seedRepository(remote), ['rev-parse', 'HEAD']);
  gh = await GitHubEmulator.start({ remote });
  gh.environments.minuteMs = 200;
  file = join(mkdtempSync(join(tmpdir(), 'env-')), 'deploy.yml');
  writeFileSync(
    file,
    `name: deploy
on:
  workflow_dispatch:
    inputs:
      environment: { type: string, required: true }
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: \${{ inputs.environment }}
    outputs:
      seen: \${{ steps.look.outputs.seen }}
    steps:
      - id: look
        env:
          WHERE: \${{ vars.WHERE }}
          KEEP: \${{ vars.KEEP }}
          SECRET: \${{ secrets.DEPLOY_KEY }}
        run: echo "seen=$WHERE/$KEEP/\${SECRET:+has-secret}" >> "$GITHUB_OUTPUT"
`,
  );
});
afterAll(async () => {
  const violations = gh.violations.splice(0);
  await gh.stop();
  expect(violations).toEqual([]);
});

async function api(path: string, token: string, body?: object) {
  const res = await fetch(`${gh.repoUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Polls until the run has a job waiting in an environment; returns the run id. */
async function waitingRun(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const w = gh.environments.waiting()[0];
    if (w) return w.runId;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no job waited for a review');
}

describe('environments with protection rules', () => {
  it('gives the job its environment vars (over the repository) and secrets; no environment, no rules', async () => {
    gh.environments.configure('dev', { vars: { WHERE: 'dev' }, secrets: { DEPLOY_KEY: 'k' } });
    const r = await runner().run({ file, event: 'workflow_dispatch', inputs: { environment: 'DEV' } });
    expect(r.jobs.deploy?.outputs.seen).toBe('dev/repo-only/has-secret');
    const plain = await runner().run({ file, event: 'workflow_dispatch', inputs: { environment: 'scratch' } });
    expect(plain.jobs.deploy?.outputs.seen).toBe('repository/repo-only/');
  });

  it('holds the job waiting until a required reviewer approves through the API; others cannot', async () => {
    gh.environments.configure('production', { reviewers: ['alice'], preventSelfReview: true });
    const running = runner().run({ file, event: 'workflow_dispatch', inputs: { environment: 'production' } });
    const runId = await waitingRun();
    const run = await api(`/actions/runs/${runId}`, 't');
    expect(run.body).toMatchObject({ status: 'waiting' });
    const alice = gh.environments.userToken('alice');
    const pending = (await api(`/actions/runs/${runId}/pending_deployments`, alice)).body as {
      environment: { id: number; name: string };
      current_user_can_approve: boolean;
    }[];
    expect(pending).toEqual([
      expect.objectContaining({
        environment: expect.objectContaining({ name: 'production' }),
        current_user_can_approve: true,
      }),
    ]);
    const envId = pending[0]?.environment.id as number;
    // The run's own actor (octocat) is a reviewer nowhere here, and self-review is prevented anyway.
    const octocat = gh.environments.userToken('octocat');
    const refused = await api(`/actions/runs/${runId}/pending_deployments`, octocat, {
      environment_ids: [envId],
      state: 'approved',
      comment: 'me',
    });
    expect(refused.status).toBe(403);
    const approved = await api(`/actions/runs/${runId}/pending_deployments`, alice, {
      environment_ids: [envId],
      state: 'approved',
      comment: 'ship it',
    });
    expect(approved.status).toBe(200);
    const r = await running;
    expect(r.conclusion).toBe('success');
    expect(gh.state.runs.find((x) => x.id === runId)?.jobs[0]).toMatchObject({
      status: 'completed',
      conclusion: 'success',
    });
  });

  it('fails the run when the deployment is rejected, and runs none of its steps', async () => {
    gh.environments.configure('production', { reviewers: ['alice'] });
    const running = runner().run({ file, event: 'workflow_dispatch', inputs: { environment: 'production' } });
    const runId = await waitingRun();
    const id = gh.environments.get('production')?.id as number;
    const alice = gh.environments.userToken('alice');
    expect(
      (
        await api(`/actions/runs/${runId}/pending_deployments`, alice, {
          environment_ids: [id],
          state: 'rejected',
          comment: 'not today',
        })
      ).status,
    ).toBe(200);
    const r = await running;
    expect(r.conclusion).toBe('failure');
    expect(r.jobs.deploy?.steps).toEqual([
      expect.objectContaining({ error: 'The deployment to production was rejected by alice: not today.' }),
    ]);
  });

  it('waits the wait timer before the job runs', async () => {
    gh.environments.configure('slow', { waitTimer: 2 });
    const started = Date.now();
    const r = await runner().run({ file, event: 'workflow_dispatch', inputs: { environment: 'slow' } });
    expect(r.conclusion).toBe('success');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(log).toContain('  ⏸ job deploy: waiting for the protection rules of slow');
  });

  it('refuses a branch or tag its deployment policy does not allow', async () => {
    gh.environments.configure('release', { deploymentBranches: { branches: ['main', 'release/*'], tags: ['v*'] } });
    const ok = await runner('refs/heads/release/1.x').run({
      file,
      event: 'workflow_dispatch',
      inputs: { environment: 'release' },
    });
    expect(ok.conclusion).toBe('success');
    const tag = await runner('refs/tags/v1.2.0').run({
      file,
      event: 'workflow_dispatch',
      inputs: { environment: 'release' },
    });
    expect(tag.conclusion).toBe('success');
    const feature = await runner('refs/heads/feature/x').run({
      file,
      event: 'workflow_dispatch',
      inputs: { environment: 'release' },
    });
    expect(feature.conclusion).toBe('failure');
    expect(feature.jobs.deploy?.steps[0]?.error).toBe(
      'Branch "feature/x" is not allowed to deploy to release due to environment protection rules.',
    );
    gh.environments.configure('guarded', { deploymentBranches: 'protected', protectedBranches: ['main'] });
    const other = await runner('refs/heads/dev').run({
      file,
      event: 'workflow_dispatch',
      inputs: { environment: 'guarded' },
    });
    expect(other.jobs.deploy?.steps[0]?.error).toContain('Branch "dev" is not allowed to deploy to guarded');
    const env = await api('/environments/release', 't');
    expect(env.body).toMatchObject({ name: 'release', deployment_branch_policy: { custom_branch_policies: true } });
  });
});
