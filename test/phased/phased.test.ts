/**
 * The phased-release action as the runner starts it (the bundle, Node 24), over a real HAProxy
 * 2.6 with six instances of the sample service, a real Prometheus, the GitHub emulator and the
 * sample deploy command (examples/deploy/deploy.mjs, in place on each target's address): each
 * release is a GitHub release asset, fetched and digest-checked before any deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  createRemote,
  freePort,
  git,
  runAction,
  seedRepository,
  startHaproxyPool,
  startLoad,
  startPrometheus,
  waitForQuery,
  type Haproxy,
  type Prometheus,
} from '@rollgate/testbed';

const METRICS = `
- name: error-rate
  query: (sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[{{window}}])) or vector(0)) / sum(rate(http_requests_total{version="{{version}}"}[{{window}}]))
  max: 0.05
`;

let gh: GitHubEmulator;
let haproxy: Haproxy;
let prometheus: Prometheus;
let sha: string;
let seedDir: string;
let targets: { name: string; address: string }[];
const pids = mkdtempSync(join(tmpdir(), 'phased-pids-'));
const releases: Record<string, { name: string; digest: string; dir: string }> = {};
let runIds = 9100;

/** The sample service at `version` as a release asset (a bad build answers 20% of requests 500). */
function publish(version: string, errorRate = 0): void {
  const dir = mkdtempSync(join(tmpdir(), `svc-${version}-`));
  const server = readFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), 'utf8');
  writeFileSync(
    join(dir, 'server.mjs'),
    errorRate
      ? server.replace('#!/usr/bin/env node', `#!/usr/bin/env node\nprocess.env.ERROR_RATE = '${errorRate}';`)
      : server,
  );
  writeFileSync(join(dir, 'VERSION'), `${version}\n`);
  const archive = join(dir, 'archive.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', dir, 'server.mjs', 'VERSION']);
  const data = readFileSync(archive);
  const name = `service-${version}`;
  const at = new Date().toISOString();
  const releaseId = gh.nextId();
  gh.state.releases.push({
    id: releaseId,
    tag_name: `v${version}`,
    target_commitish: 'main',
    name: `v${version}`,
    body: '',
    draft: false,
    prerelease: false,
    created_at: at,
    published_at: at,
  });
  gh.state.assets.push({
    id: gh.nextId(),
    releaseId,
    name: `${name}.tar.gz`,
    label: null,
    contentType: 'application/gzip',
    data,
    createdAt: at,
  });
  git(seedDir, ['tag', `v${version}`]);
  git(seedDir, ['push', '-q', 'origin', `v${version}`]);
  releases[version] = { name, digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, dir };
}

/** Runs the deploy command as the action would, outside it (the fleet's starting state). */
function deploy(version: string, address: string): void {
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs'), `--pids=${pids}`, version, releases[version]?.dir as string],
    {
      env: { ...process.env, ROLLGATE_ADDRESS: address },
      stdio: 'ignore',
    },
  );
}

async function api(path: string, body: object) {
  const res = await fetch(`${gh.repoUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'token t' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: number };
}

async function answers(address: string): Promise<string> {
  return ((await (await fetch(`http://${address}/`)).json()) as { version: string }).version;
}

function phased(version: string) {
  const runId = ++runIds;
  gh.startRun({ id: runId, head_sha: sha });
  const r = releases[version] as { name: string; digest: string };
  return runAction({
    action: 'phased',
    repository: gh.repository,
    sha,
    apiUrl: gh.url,
    token: 'ghs_phased',
    runId,
    inputs: {
      version,
      environment: 'production',
      targets: targets.map((t) => `${t.name}=${t.address}`).join('\n'),
      batches: '1,50%,100%',
      'min-healthy': '50%',
      interval: '4s',
      'deploy-command': `${process.execPath} ${join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs')} --pids=${pids}`,
      'health-url': 'http://{address}/metrics',
      'haproxy-socket': haproxy.socket,
      metrics: METRICS,
      'prometheus-url': prometheus.url,
      samples: '4',
      'scrape-interval': '1s',
      'artifact-name': r.name,
      'artifact-digest': r.digest,
      'release-tag': `v${version}`,
    },
    timeoutMs: 240_000,
  }).finally(() => gh.finishRun(runId));
}

beforeAll(async () => {
  const remote = createRemote();
  seedDir = seedRepository(remote);
  sha = git(seedDir, ['rev-parse', 'HEAD']);
  gh = await GitHubEmulator.start({ remote });
  publish('1.0.0');
  publish('1.1.0');
  publish('1.2.0', 0.2);
  targets = [];
  for (let i = 1; i <= 6; i++) targets.push({ name: `web-${i}`, address: `127.0.0.1:${await freePort()}` });
  for (const t of targets) deploy('1.0.0', t.address);
  haproxy = await startHaproxyPool(targets);
  prometheus = await startPrometheus(targets.map((t) => t.address));
  // 1.0.0 is live: released by a pipeline run on main, from its release asset.
  const run = gh.startRun({ id: ++runIds, head_sha: sha });
  const r = releases['1.0.0'] as { name: string; digest: string };
  const d = await api('/deployments', {
    ref: sha,
    environment: 'production',
    auto_merge: false,
    required_contexts: [],
    payload: {
      version: '1.0.0',
      kind: 'phased',
      commit: sha,
      run: { id: String(run.id), attempt: 1 },
      artifact: { name: r.name, digest: r.digest, release_tag: 'v1.0.0', asset: `${r.name}.tar.gz` },
    },
  });
  await api(`/deployments/${d.id}/statuses`, { state: 'success', description: 'released: 1.0.0 on all 6 targets' });
  gh.finishRun(run.id);
  const warm = startLoad(`http://${haproxy.address}/`, 30, 10_000);
  await waitForQuery(prometheus.url, 'sum by (instance) (rate(http_requests_total[4s]))', 6);
  await warm.stop();
}, 120_000);

afterAll(async () => {
  for (const t of targets ?? []) {
    try {
      process.kill(Number(readFileSync(join(pids, `${t.address.split(':')[1]}.pid`), 'utf8')), 'SIGTERM');
    } catch {
      // not running
    }
  }
  await haproxy?.stop();
  await prometheus?.stop();
  await gh?.stop();
});

describe('phased release action (bundle, HAProxy, six instances, Prometheus)', () => {
  it('releases a healthy version in three batches with no failed and no retried request', async () => {
    const load = startLoad(`http://${haproxy.address}/`, 60, 200_000);
    const r = await phased('1.1.0');
    const stats = await load.stop();
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'released', 'previous-version': '1.0.0' });
    for (const t of targets) expect(await answers(t.address)).toBe('1.1.0');
    const id = Number(r.outputs['deployment-id']);
    expect(gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description)).toEqual([
      'batch 1/3: 1/6 on 1.1.0 (web-1)',
      'batch 2/3: 3/6 on 1.1.0 (web-2,web-3)',
      'batch 3/3: 6/6 on 1.1.0 (web-4,web-5,web-6)',
      'released: 1.1.0 on all 6 targets',
    ]);
    expect(stats.sent).toBeGreaterThan(300);
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
    expect(r.summary).toContain('Phased release of 1.1.0: released');
  }, 240_000);

  it('catches a bad version (20% errors) in the first batch and puts the previous release back', async () => {
    const load = startLoad(`http://${haproxy.address}/`, 60, 200_000);
    const r = await phased('1.2.0');
    const stats = await load.stop();
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^Phased release of 1\.2\.0 rolled back: error-rate [\d.]+ > max 0\.05\. Every changed target is back on 1\.1\.0\.$/,
    );
    expect(r.outputs).toMatchObject({ outcome: 'rolled-back', 'previous-version': '1.1.0' });
    for (const t of targets) expect(await answers(t.address)).toBe('1.1.0');
    const id = Number(r.outputs['deployment-id']);
    const descriptions = gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description);
    expect(descriptions[0]).toBe('batch 1/3: 1/6 on 1.2.0 (web-1)');
    expect(descriptions.at(-1)).toMatch(/^rolled back at batch 1\/3: 1 target\(s\) back on 1\.1\.0: error-rate/);
    // Only the first batch's target ever served 1.2.0; every failure a client saw came from it.
    const q = encodeURIComponent('count by (instance) (max_over_time(http_requests_total{version="1.2.0"}[5m]))');
    const served = (await (await fetch(`${prometheus.url}/api/v1/query?query=${q}`)).json()) as {
      data: { result: { metric: { instance: string } }[] };
    };
    expect(served.data.result.map((x) => x.metric.instance)).toEqual([targets[0]?.address]);
    expect(stats.failed / stats.sent).toBeLessThan(0.05);
    expect(stats.retried).toBe(0);
  }, 240_000);

  it('refuses bad input with one line before anything changes', async () => {
    const runId = ++runIds;
    gh.startRun({ id: runId, head_sha: sha });
    const before = gh.state.deployments.length;
    const r = await runAction({
      action: 'phased',
      repository: gh.repository,
      sha,
      apiUrl: gh.url,
      token: 'ghs_phased',
      runId,
      inputs: {
        version: '1.3.0',
        environment: 'production',
        targets: 'web-1=127.0.0.1:1\nweb-1=127.0.0.1:2',
        'deploy-command': 'true',
        'haproxy-socket': haproxy.socket,
        'artifact-name': 'x',
        'artifact-digest': `sha256:${'0'.repeat(64)}`,
      },
    });
    gh.finishRun(runId);
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Input 'targets': expected each target once, but web-1 is listed twice/);
    expect(gh.state.deployments.length).toBe(before);
  });
});
