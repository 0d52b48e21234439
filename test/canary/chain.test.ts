/**
 * The environment chain through the canary bundle over real nginx: a release enters
 * production only when it is live in staging, with the same artifact, soaked; production then
 * deploys the artifact staging runs (fetched from its release asset, never rebuilt) and its
 * record names the staging record. Each refusal comes before any record or traffic move.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, REPO_ROOT, freePort, runAction } from '@rollgate/testbed';
import { STABLE, startStack, type Stack } from '../../roads/canary/stack.js';

let stack: Stack;
let artifacts: ArtifactService;
const pids: number[] = [];
let built: { name: string; digest: string; id: string; runId: number };
let stagingRecord: number;

async function api(path: string, body?: object): Promise<Record<string, unknown> & { id: number }> {
  const res = await fetch(`${stack.gh.repoUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', authorization: 'token t' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as Record<string, unknown> & { id: number };
}

const deploymentsIn = async (environment: string) =>
  (await api(`/deployments?environment=${environment}`)) as unknown as {
    id: number;
    payload: Record<string, unknown>;
  }[];

beforeAll(async () => {
  stack = await startStack({ '1.1.0': {} });
  artifacts = await ArtifactService.start();
  stack.gh.useArtifacts(artifacts);
  await api('/releases', { tag_name: 'v1.1.0', target_commitish: stack.sha, draft: false });
  // The pipeline's build of 1.1.0: a workflow artifact and the v1.1.0 release asset.
  const ws = mkdtempSync(join(tmpdir(), 'svc-'));
  copyFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), join(ws, 'server.mjs'));
  writeFileSync(join(ws, 'VERSION'), '1.1.0\n');
  stack.gh.startRun({ id: 601, head_sha: stack.sha });
  const r = await runAction({
    action: 'build',
    workspace: ws,
    runId: 601,
    sha: stack.sha,
    repository: stack.gh.repository,
    apiUrl: stack.gh.url,
    token: 'ghs_build',
    ...artifacts.env(601),
    inputs: {
      command: 'node --version',
      outputs: 'server.mjs\nVERSION',
      name: 'service-1.1.0',
      'release-tag': 'v1.1.0',
    },
  });
  stack.gh.finishRun(601);
  expect(r.error).toBeUndefined();
  built = {
    name: r.outputs['artifact-name'] as string,
    digest: r.outputs.digest as string,
    id: r.outputs['artifact-id'] as string,
    runId: 601,
  };
  await stack.seed('ch-staging', STABLE);
  await stack.seed('ch-production', STABLE);
  // 1.1.0 through staging's canary, recorded with its artifact.
  const staging = await stack.canary({
    version: '1.1.0',
    environment: 'ch-staging',
    steps: '100',
    'skip-analysis': 'true',
    'artifact-name': built.name,
    'artifact-digest': built.digest,
    'artifact-id': built.id,
    'artifact-run-id': '601',
    'release-tag': 'v1.1.0',
  });
  expect(staging.outputs.outcome).toBe('promoted');
  stagingRecord = Number(staging.outputs['deployment-id']);
}, 120_000);

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

/** A canary into ch-production from ch-staging: no canary address of its own unless given. */
const promote = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  stack.canary(
    {
      version: 'live',
      environment: 'ch-production',
      'from-environment': 'ch-staging',
      steps: '100',
      'skip-analysis': 'true',
      'canary-address': '',
      ...inputs,
    },
    { env },
  );

describe('a release enters the next environment of its chain only under the promotion rules', () => {
  it.each([
    [
      'soaked too briefly',
      { soak: '1h' },
      /^Promotion refused \(rule: soak 1h\): 1\.1\.0 has been live in ch-staging for \d+s \(deployment \d+, since .+\); it may be promoted from .+\.$/,
    ],
    [
      'another artifact',
      { version: '1.1.0', 'artifact-digest': `sha256:${'0'.repeat(64)}`, soak: '0s' },
      /^Promotion refused \(rule: same artifact\): 1\.1\.0 in ch-staging \(deployment \d+\) runs sha256:[0-9a-f]{64}, not sha256:0{64}\.$/,
    ],
    [
      'a version not live there',
      { version: '1.2.0', soak: '0s' },
      /^Promotion refused \(rule: live in ch-staging first\): 1\.2\.0 is not live in ch-staging: 1\.1\.0 is live there \(deployment \d+\); 1\.2\.0 is not \(never released there, or replaced since\)\.$/,
    ],
  ])('refuses a release %s, before any record or traffic move', async (_, inputs, message) => {
    const before = (await deploymentsIn('ch-production')).length;
    const upstream = stack.upstream();
    const r = await promote(inputs);
    expect(r.error).toMatch(message);
    expect((await deploymentsIn('ch-production')).length).toBe(before);
    expect(stack.upstream()).toBe(upstream);
  });

  it('with dry-run, admits and says what it would do, and changes nothing', async () => {
    const before = (await deploymentsIn('ch-production')).length;
    const upstream = stack.upstream();
    const r = await promote({
      soak: '0s',
      'dry-run': 'true',
      'canary-address': stack.services['1.1.0']?.address ?? '',
    });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'dry-run', version: '1.1.0' });
    expect(r.stdout).toContain(`Promotion admitted: 1.1.0 is live in ch-staging (deployment ${stagingRecord})`);
    expect((await deploymentsIn('ch-production')).length).toBe(before);
    expect(stack.upstream()).toBe(upstream);
  });

  it('deploys the artifact staging runs, from its release asset, and records where it came from', async () => {
    const port = await freePort();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'pid-')), 'pid');
    const r = await promote(
      {
        soak: '0s',
        'canary-address': `127.0.0.1:${port}`,
        'deploy-command': `node ${join(import.meta.dirname, 'deploy.mjs')}`,
      },
      { DEPLOY_PID_FILE: pidFile },
    );
    if (existsSync(pidFile)) pids.push(Number(readFileSync(pidFile, 'utf8')));
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'promoted', version: '1.1.0', 'stable-version': STABLE });
    expect(r.stdout).toContain(`Promotion admitted: 1.1.0 is live in ch-staging (deployment ${stagingRecord}) since `);
    expect(r.stdout).toContain('Deploying 1.1.0 from release v1.1.0 asset service-1.1.0.tar.gz (digest verified)');
    const [record] = await deploymentsIn('ch-production');
    expect(record?.id).toBe(Number(r.outputs['deployment-id']));
    expect(record?.payload).toMatchObject({
      version: '1.1.0',
      tag: 'v1.1.0',
      artifact: { digest: built.digest, release_tag: 'v1.1.0' },
      promoted_from: { environment: 'ch-staging', deployment_id: stagingRecord },
    });
    expect(stack.upstream()).toMatch(new RegExp(`server 127\\.0\\.0\\.1:${port} weight=100;`));
    expect(r.summary).toContain(`| promoted from | ch-staging (deployment ${stagingRecord}) |`);
    // Where each release stands, read back after the rollout: live in both, and the chain drawn.
    expect(r.summary).toContain('### The chain: ch-staging → ch-production');
    expect(r.summary).toMatch(
      new RegExp(
        `\\| 1\\.1\\.0 \\| 🟢 live \\(deployment ${stagingRecord}\\) \\| 🟢 live \\(deployment ${record?.id}\\) \\|`,
      ),
    );
    expect(r.summary).toMatch(/\| 1\.0\.0 \| replaced \(deployment \d+\) \| replaced \(deployment \d+\) \|/);
    expect(r.summary).toContain('e0["ch-staging<br/>1.1.0 live"]');
    expect(r.summary).toContain('e0 --> e1');
  });

  it.each([
    [
      'a breach',
      'min: 1000000',
      /rule: soak checks\): check 'served' of 1\.1\.0 in ch-staging over the last 3s: [\d.e+-]+ < min 1000000\.$/,
    ],
    ['no data', 'max: 1', /rule: soak checks\): check 'served' of 1\.1\.0 in ch-staging over the last 3s: no data \(/],
  ])('refuses when a soak check of the previous environment reads %s', async (what, bound, message) => {
    // Three seconds live in staging at least (the admission times the soak before the checks run).
    await new Promise((r) => setTimeout(r, 3500));
    const metric = what === 'no data' ? 'no_such_metric' : 'http_requests_total';
    const before = (await deploymentsIn('ch-production')).length;
    const r = await promote({
      soak: '3s',
      'soak-metrics': `- name: served\n  query: sum(rate(${metric}{version="{{version}}"}[{{window}}]))\n  ${bound}\n`,
    });
    expect(r.error).toMatch(message);
    expect((await deploymentsIn('ch-production')).length).toBe(before);
  });

  it.each([
    [{ version: 'live', 'from-environment': '' }, "Input 'version'"],
    [{ 'from-environment': 'ch-production' }, "Input 'from-environment'"],
    [{ soak: 'soon' }, "Input 'soak'"],
  ])('names the bad input before anything is read: %j', async (inputs, name) => {
    const calls = stack.gh.requests.length;
    const r = await promote(inputs);
    expect(r.error).toContain(name);
    expect(stack.gh.requests.length).toBe(calls);
  });
});
