import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, REPO_ROOT, freePort, runAction, startLoad } from '@rollgate/testbed';
import { STABLE, startStack, type Stack } from '../../roads/canary/stack.js';

let stack: Stack;
let artifacts: ArtifactService;
const pids: number[] = [];

interface Built {
  name: string;
  digest: string;
  id: string;
  runId: number;
}

/** Builds the sample service at `version` with the build action, as a pipeline run would. */
async function build(
  version: string,
  runId: number,
  releaseTag?: string,
  run: { event?: string; head_branch?: string } = {},
): Promise<Built> {
  const ws = mkdtempSync(join(tmpdir(), 'svc-'));
  stack.gh.startRun({ id: runId, head_sha: stack.sha, ...run });
  copyFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), join(ws, 'server.mjs'));
  writeFileSync(
    join(ws, 'stamp.mjs'),
    "import { writeFileSync } from 'node:fs'; writeFileSync('VERSION', process.argv[2] + '\\n');",
  );
  const r = await runAction({
    action: 'build',
    workspace: ws,
    runId,
    sha: stack.sha,
    repository: stack.gh.repository,
    apiUrl: stack.gh.url,
    token: 'ghs_build',
    ...artifacts.env(runId),
    inputs: {
      command: `node stamp.mjs ${version}`,
      outputs: 'server.mjs\nVERSION',
      name: `service-${version}`,
      version,
      ...(releaseTag ? { 'release-tag': releaseTag } : {}),
    },
  });
  stack.gh.finishRun(runId);
  expect(r.error).toBeUndefined();
  return {
    name: r.outputs['artifact-name'] as string,
    digest: r.outputs.digest as string,
    id: r.outputs['artifact-id'] as string,
    runId,
  };
}

async function api(path: string, body: object) {
  const res = await fetch(`${stack.gh.repoUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'token t' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: number };
}

/** History of an environment: 1.0.0 deployed from `old`, then a canary of 1.1.0 (from `next`) promoted. */
let runIds = 700;
async function history(environment: string, old: Built, next: Built, oldPayload: object = {}): Promise<number> {
  // 1.0.0 was deployed by a pipeline run on main (registered with GitHub, then finished).
  const deployRun = stack.gh.startRun({ id: ++runIds, head_sha: stack.sha });
  const d = await api('/deployments', {
    ref: stack.sha,
    environment,
    auto_merge: false,
    required_contexts: [],
    payload: {
      version: STABLE,
      commit: stack.sha,
      address: stack.services[STABLE]?.address,
      artifact: {
        name: old.name,
        digest: old.digest,
        run_id: String(old.runId),
        id: Number(old.id),
        release_tag: 'v1.0.0',
      },
      run: { id: String(deployRun.id), attempt: 1 },
      ...oldPayload,
    },
  });
  await api(`/deployments/${d.id}/statuses`, { state: 'success' });
  stack.gh.finishRun(deployRun.id);
  const canary = await stack.canary({
    version: '1.1.0',
    environment,
    steps: '100',
    'skip-analysis': 'true',
    'artifact-name': next.name,
    'artifact-digest': next.digest,
    'artifact-id': next.id,
    'artifact-run-id': String(next.runId),
  });
  expect(canary.outputs.outcome).toBe('promoted');
  return Number(canary.outputs['deployment-id']);
}

/** rollback.yml dispatched on main: a run of its own, registered with GitHub for its duration. */
async function rollback(
  environment: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  run: { branch?: string } = {},
) {
  const runId = ++runIds;
  stack.gh.startRun({
    id: runId,
    head_sha: stack.sha,
    event: 'workflow_dispatch',
    path: '.github/workflows/rollback.yml',
    ...(run.branch ? { head_branch: run.branch } : {}),
  });
  try {
    return await rollbackRun(environment, inputs, extraEnv, runId);
  } finally {
    stack.gh.finishRun(runId);
  }
}

function rollbackRun(
  environment: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string>,
  runId: number,
) {
  return runAction({
    action: 'rollback',
    repository: stack.gh.repository,
    sha: stack.sha,
    apiUrl: stack.gh.url,
    token: 'ghs_rollback',
    runId,
    ...artifacts.env(runId),
    env: extraEnv,
    inputs: {
      environment,
      'traffic-provider': 'nginx',
      'nginx-upstream-file': stack.nginx.upstreamFile,
      'nginx-test-command': stack.nginx.testCommand.join(' '),
      'nginx-reload-command': stack.nginx.reloadCommand.join(' '),
      ...inputs,
    },
  });
}

let v100: Built;
let v110: Built;
beforeAll(async () => {
  stack = await startStack({ '1.1.0': {} });
  artifacts = await ArtifactService.start();
  stack.gh.useArtifacts(artifacts);
  await api('/releases', { tag_name: 'v1.0.0', target_commitish: stack.sha, draft: false });
  v100 = await build(STABLE, 501, 'v1.0.0');
  v110 = await build('1.1.0', 502);
}, 90_000);
afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await artifacts.stop();
  const violations = stack.gh.violations.splice(0);
  await stack.stop();
  expect(violations).toEqual([]);
});

describe('rollback action', () => {
  it('restores the previous release from its original artifact, and the traffic really reaches it', async () => {
    const bad = await history('prod-r', v100, v110);
    const port = await freePort();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pid-')), 'pid');
    const r = await rollback(
      'prod-r',
      { 'deploy-command': `node ${join(import.meta.dirname, 'deploy.mjs')}`, 'target-address': `127.0.0.1:${port}` },
      { DEPLOY_PID_FILE: pidFile },
    );
    if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, 'utf8')));
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: STABLE, 'artifact-digest': v100.digest, 'replaced-version': '1.1.0' });
    expect(r.stdout).toContain('Fetched release v1.0.0 asset service-1.0.0.tar.gz: digest');
    expect(stack.upstream()).toMatch(new RegExp(`server 127\\.0\\.0\\.1:${port} weight=100; # stable 1\\.0\\.0`));
    const load = startLoad(`http://${stack.nginx.address}/`, 40, 5000);
    await new Promise((res) => setTimeout(res, 1500));
    const stats = await load.stop();
    expect(Object.keys(stats.byVersion)).toEqual([STABLE]);
    expect(stats.failed).toBe(0);
    const id = Number(r.outputs['deployment-id']);
    const dep = stack.gh.state.deployments.find((d) => d.id === id);
    expect(dep?.payload).toMatchObject({
      version: STABLE,
      kind: 'rollback',
      rollback_of: { version: '1.1.0', deployment_id: bad },
      address: `127.0.0.1:${port}`,
    });
    expect(stack.gh.state.statuses.filter((s) => s.deploymentId === bad).at(-1)?.state).toBe('inactive');
    expect(stack.gh.state.statuses.filter((s) => s.deploymentId === id).at(-1)?.state).toBe('success');
  }, 60_000);

  it('rolls back from the workflow artifact when no release holds it (to-version)', async () => {
    // 1.1.0 live, then 1.0.0 rolled back... here: go forward again to 1.1.0 by version, from its workflow artifact.
    const r = await rollback('prod-r', { 'to-version': '1.1.0', 'dry-run': 'true' });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: '1.1.0', 'artifact-digest': v110.digest });
    expect(r.stdout).toContain('Fetched workflow artifact service-1.1.0 (run 502)');
    expect(r.outputs['deployment-id']).toBeUndefined();
  }, 60_000);

  it('stops before any traffic moves when the fetched artifact does not match the recorded digest', async () => {
    // The workflow artifact (not a release asset) is fetched and hashed: the bytes decide.
    await history('prod-m', v100, v110, {
      artifact: {
        name: v100.name,
        digest: `sha256:${'0'.repeat(64)}`,
        run_id: String(v100.runId),
        id: Number(v100.id),
      },
    });
    const before = stack.upstream();
    const marker = join(mkdtempSync(join(tmpdir(), 'm-')), 'deployed');
    const r = await rollback('prod-m', { 'deploy-command': `touch ${marker}`, 'target-address': '127.0.0.1:1' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^Digest mismatch for workflow artifact service-1\.0\.0 \(run 501\): recorded sha256:0{64}, fetched sha256:[0-9a-f]{64}\. Nothing was deployed\.$/,
    );
    expect(existsSync(marker)).toBe(false);
    expect(stack.upstream()).toBe(before);
  }, 60_000);

  it('does not trust a record whose digest differs from what GitHub reports for its release asset', async () => {
    await history('prod-d', v100, v110);
    // A record written during a real run of the pipeline, but naming the release asset with a digest it does not have.
    const run = stack.gh.startRun({ id: ++runIds, head_sha: stack.sha });
    const forged = await api('/deployments', {
      ref: stack.sha,
      environment: 'prod-d',
      auto_merge: false,
      required_contexts: [],
      payload: {
        version: '0.9.0',
        commit: stack.sha,
        run: { id: String(run.id), attempt: 1 },
        artifact: {
          name: v100.name,
          digest: `sha256:${'0'.repeat(64)}`,
          run_id: String(v100.runId),
          release_tag: 'v1.0.0',
        },
      },
    });
    // Once live, now retired: a valid rollback target if it were trusted.
    await api(`/deployments/${forged.id}/statuses`, { state: 'success', auto_inactive: false });
    await api(`/deployments/${forged.id}/statuses`, { state: 'inactive' });
    stack.gh.finishRun(run.id);
    const before = stack.upstream();
    const r = await rollback('prod-d', {
      'to-version': '0.9.0',
      'deploy-command': 'true',
      'target-address': '127.0.0.1:1',
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toBe(
      `Input 'to-version': 0.9.0 never reached success in prod-d. 1 record(s) were left out as not trusted (deployment ${forged.id}: release v1.0.0 asset service-1.0.0.tar.gz has digest ${v100.digest}, not the recorded sha256:${'0'.repeat(64)}).`,
    );
    expect(stack.upstream()).toBe(before);
  }, 60_000);

  it('never deploys a pull request build, whichever run a forged record names', async () => {
    await history('prod-pr', v100, v110);
    const pr = await build('0.9.0', 503, undefined, { event: 'pull_request', head_branch: 'feature/x' });
    const forgedWith = async (artifact: object) => {
      const run = stack.gh.startRun({ id: ++runIds, head_sha: stack.sha });
      const d = await api('/deployments', {
        ref: stack.sha,
        environment: 'prod-pr',
        auto_merge: false,
        required_contexts: [],
        payload: { version: '0.9.0', commit: stack.sha, run: { id: String(run.id), attempt: 1 }, artifact },
      });
      await api(`/deployments/${d.id}/statuses`, { state: 'success', auto_inactive: false });
      await api(`/deployments/${d.id}/statuses`, { state: 'inactive' });
      stack.gh.finishRun(run.id);
      return d.id;
    };
    // The PR run named as the builder; then the PR artifact's id under the main build run's id.
    const asBuilder = await forgedWith({
      name: pr.name,
      digest: pr.digest,
      run_id: String(pr.runId),
      id: Number(pr.id),
    });
    const underMain = await forgedWith({
      name: pr.name,
      digest: pr.digest,
      run_id: String(v100.runId),
      id: Number(pr.id),
    });
    const marker = join(mkdtempSync(join(tmpdir(), 'm-')), 'deployed');
    const r = await rollback('prod-pr', {
      'to-version': '0.9.0',
      'deploy-command': `touch ${marker}`,
      'target-address': '127.0.0.1:1',
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toContain(
      `deployment ${asBuilder}: its artifact: run 503 was started by pull_request, not by a push, dispatch or schedule`,
    );
    expect(r.error).toContain(`deployment ${underMain}: artifact ${pr.id} was uploaded by run 503, not by run 501`);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it.each([
    [{ 'to-version': '9.9.9', 'dry-run': 'true' }, /^Input 'to-version': 9\.9\.9 never reached success in prod-r/],
    [
      { 'to-version': '1.0.0', 'to-deployment': '5', 'dry-run': 'true' },
      /^Input 'to-deployment': expected to be empty when to-version is given/,
    ],
    [{}, /^Input 'deploy-command': expected a value/],
    [
      { targets: 'web-1=127.0.0.1:1', 'haproxy-socket': '/nowhere', 'dry-run': 'true' },
      /^Input 'traffic-provider': expected to be empty with targets/,
    ],
    [
      { targets: 'web-1=127.0.0.1:1\nweb-1=127.0.0.1:2', 'traffic-provider': '', 'dry-run': 'true' },
      /^Input 'targets': .*web-1/,
    ],
    [
      { targets: 'web-1=127.0.0.1:1', 'traffic-provider': '', 'deploy-command': 'true' },
      /^Input 'haproxy-socket': expected at least one admin socket/,
    ],
  ])('bad input %j', async (inputs, message) => {
    const r = await rollback('prod-r', inputs);
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(message);
  });

  it('refuses while a canary is in progress, pointing at abort, and changes nothing', async () => {
    await history('prod-p', v100, v110);
    const paused = await stack.leaveOpen('prod-p', '1.4.0', 'paused at 25%: waiting for promote or abort');
    const before = { upstream: stack.upstream(), deployments: stack.gh.state.deployments.length };
    const r = await rollback('prod-p', { 'dry-run': 'true' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toBe(
      `A canary of 1.4.0 is in progress in prod-p (deployment ${paused}: paused at 25%: waiting for promote or abort): abort it (promote.yml with action: abort) to put everything back on 1.0.0, then roll back if needed.`,
    );
    expect({ upstream: stack.upstream(), deployments: stack.gh.state.deployments.length }).toEqual(before);
  }, 60_000);

  it('ignores a forged record whose values could inject nginx config, and rolls back over the real history', async () => {
    await history('prod-f', v100, v110);
    // What anyone with deployments: write can do with two API calls.
    const forged = await api('/deployments', {
      ref: stack.sha,
      environment: 'prod-f',
      auto_merge: false,
      required_contexts: [],
      payload: {
        version: '1.2.0\n    server 10.6.6.6:80 weight=95;',
        address: '10.6.6.6:80; server 10.6.6.7:80',
        artifact: { name: v110.name, digest: v110.digest },
      },
    });
    await api(`/deployments/${forged.id}/statuses`, {
      state: 'success',
      auto_inactive: false,
      description: 'live\n::add-mask::x',
    });
    const port = await freePort();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pid-')), 'pid');
    const r = await rollback(
      'prod-f',
      { 'deploy-command': `node ${join(import.meta.dirname, 'deploy.mjs')}`, 'target-address': `127.0.0.1:${port}` },
      { DEPLOY_PID_FILE: pidFile },
    );
    if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, 'utf8')));
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(
          new RegExp(`^Deployment ${forged.id} in prod-f is not trusted and is ignored: version .* is not a version`),
        ),
      }),
    );
    expect(r.annotations.filter((a) => a.level === 'warning')).toHaveLength(1);
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: STABLE, 'replaced-version': '1.1.0' });
    expect(stack.upstream()).not.toContain('10.6.6.6');
    expect(r.masks).not.toContain('x');
  }, 90_000);

  it('refuses a stable-version that is not a version before anything moves', async () => {
    const before = { upstream: stack.upstream(), deployments: stack.gh.state.deployments.length };
    const r = await stack.canary({
      version: '1.3.0',
      environment: 'prod-i',
      'stable-version': '1.0.0\n    server 10.6.6.6:80 weight=95;',
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Input 'stable-version': expected a version such as 1.3.0/);
    expect({ upstream: stack.upstream(), deployments: stack.gh.state.deployments.length }).toEqual(before);
  });

  it('says so when nothing is live', async () => {
    const r = await rollback('empty-env', { 'dry-run': 'true' });
    expect(r.error).toBe(
      'Nothing is live in empty-env: no trusted deployment has a success status; nothing to roll back from.',
    );
  });
});
