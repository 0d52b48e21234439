/**
 * The canary's state machine, every transition in milliseconds: the real rollout code, the
 * real records (ReleaseRecords over Octokit) and the real judge, against the GitHub emulator
 * answering in-process (no socket), a virtual clock (a 60 s step costs nothing), a traffic
 * port that remembers each split and a metrics port that answers what the test scripts.
 * The end-to-end tests (test/canary) run the same transitions over nginx and Prometheus.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { GitHub, ReleaseRecords } from '@rollgate/github';
import { Cancelled, silentLogger } from '@rollgate/kit';
import type { MetricsSource, Reading } from '@rollgate/metrics';
import type { Split, TrafficProvider } from '@rollgate/traffic';
import { MemoryTraffic, VirtualClock, createRemote, seedRepository, type GitHubEmulator } from '@rollgate/testbed';
import { inProcessGitHub } from '@rollgate/testbed/in-process';
import { parseChecks } from '@rollgate/analysis';
import { describeStatus, readStatus } from '../src/records/status-codec.js';
import { settleInflight } from '../src/canary/settle.js';
import { runCanary, runRollback, type CanaryConfig, type InflightState } from '../src/index.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const remote = createRemote();
seedRepository(remote);
const sha = 'main';

let emulator: GitHubEmulator;
let gh: GitHub;
let records: ReleaseRecords;
let clock: VirtualClock;
let splits: number[];
let inflight: (InflightState | undefined)[];
let errorRate: (at: number) => number | undefined;

const traffic = new MemoryTraffic((split: Split) => void splits.push(split.canaryWeight));
/** The canary's error rate as the test scripts it, per virtual time; undefined is no data (Prometheus' NaN). */
const source: MetricsSource = {
  name: 'prometheus',
  async read(query: string): Promise<Reading> {
    const value = query.includes('"2.0.0"') || query.includes('"2.1.0"') ? errorRate(clock.now()) : 0.001;
    return value === undefined ? { kind: 'no-data', detail: 'NaN over an idle window' } : { kind: 'value', value };
  },
};

beforeEach(() => {
  ({ emulator, gh, records } = inProcessGitHub(remote));
  clock = new VirtualClock();
  splits = [];
  inflight = [];
  errorRate = () => 0.001;
});

function config(over: Partial<CanaryConfig> = {}): CanaryConfig {
  return {
    version: '2.0.0',
    ref: sha,
    mode: 'run',
    steps: [25, 50, 100],
    intervalMs: 60_000,
    samplesPerStep: 3,
    failureLimit: 1,
    inconclusiveLimit: 1,
    checks: parseChecks(`- name: error-rate\n  query: 'rate(errors{version="{{version}}"}[{{window}}])'\n  max: 0.01`),
    sources: { prometheus: source },
    traffic,
    canary: { version: over.version ?? '2.0.0', address: '127.0.0.1:9002' },
    stable: {},
    records,
    payload: { commit: 'abc' },
    logger: silentLogger,
    inflight: (s) => inflight.push(s),
    clock,
    ...over,
  };
}

/** A release live in the environment, as an earlier pipeline left it. */
async function live(version: string): Promise<number> {
  const id = await records.create(
    sha,
    { version, kind: 'canary', address: '127.0.0.1:9001' },
    `canary of ${version}`,
    await records.state(),
  );
  await records.status(id, 'success', `promoted ${version}`);
  return id;
}

/** 1.0.0's build archive, published as a release asset as the release action does. */
function publishArchive() {
  const dir = mkdtempSync(join(tmpdir(), 'machine-'));
  writeFileSync(join(dir, 'VERSION'), '1.0.0\n');
  execFileSync('tar', ['-czf', join(dir, 'app.tar.gz'), '-C', dir, 'VERSION']);
  const data = readFileSync(join(dir, 'app.tar.gz'));
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const releaseId = emulator.nextId();
  const at = new Date(clock.now()).toISOString();
  emulator.state.releases.push({
    id: releaseId,
    tag_name: 'v1.0.0',
    target_commitish: 'main',
    name: 'v1.0.0',
    body: '',
    draft: false,
    prerelease: false,
    created_at: at,
    published_at: at,
  });
  emulator.state.assets.push({
    id: emulator.nextId(),
    releaseId,
    name: 'app.tar.gz',
    label: null,
    contentType: 'application/gzip',
    data,
    createdAt: at,
  });
  const artifact = { name: 'app', digest, release_tag: 'v1.0.0', asset: 'app.tar.gz' };
  return { artifact, data, digest, dir };
}

/** Runs `hook` once, just before the next deployment of `kind` is created (a rival's record lands first). */
function beforeCreate(kind: string, hook: () => Promise<void>): void {
  let done = false;
  (
    gh as unknown as {
      hook: {
        before(n: string, f: (o: { method: string; url: string; payload?: { kind?: string } }) => Promise<void>): void;
      };
    }
  ).hook.before('request', async (options) => {
    if (done || options.method !== 'POST' || !/\/deployments$/.test(options.url) || options.payload?.kind !== kind)
      return;
    done = true;
    await hook();
  });
}

/** What every rollback here runs with: the records, the client, and a deploy command that succeeds. */
const rollbackPorts = () => ({
  records,
  gh,
  token: 'unit-test-token',
  repo: { owner: emulator.owner, repo: emulator.repo },
  dryRun: false,
  deployCommand: ['true'],
});

/** What the canary's post step gives settleInflight: the provider, the records, its log lines. */
const postStep = (provider: TrafficProvider, lines: string[]) => ({
  traffic: () => provider,
  records,
  logger: { ...silentLogger, warning: (l: string) => void lines.push(l), error: (l: string) => void lines.push(l) },
});

const statuses = (id: number) =>
  emulator.state.statuses.filter((s) => s.deploymentId === id).map((s) => `${s.state}: ${s.description}`);

describe('canary state machine (in-memory records, virtual clock)', () => {
  it('start: a first release goes to 100% without a comparison', async () => {
    const result = await runCanary(config());
    expect(result.outcome).toBe('promoted');
    expect(splits).toEqual([100]);
    expect(statuses(result.deploymentId).at(-1)).toMatch(/^success: /);
    expect(clock.waits).toEqual([]);
  });

  it('step passed at every weight: promoted after three virtual minutes, the older release retired', async () => {
    const old = await live('1.0.0');
    const result = await runCanary(config());
    expect(result.outcome).toBe('promoted');
    expect(result.stable.version).toBe('1.0.0');
    expect(splits).toEqual([25, 50, 100]);
    expect(result.steps.map((s) => `${s.weight}:${s.outcome}`)).toEqual(['25:passed', '50:passed', '100:promoted']);
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(120_000);
    expect(
      statuses(result.deploymentId)
        .filter((s) => s.startsWith('in_progress'))
        .map((s) => readStatus(s.slice(13)).weight),
    ).toEqual([0, 25, 50]);
    expect(statuses(old).at(-1)).toMatch(/^inactive/);
    expect(inflight.at(-1)).toBeUndefined();
  });

  it('step failed: the first reading past the threshold puts all traffic back and records why', async () => {
    await live('1.0.0');
    errorRate = () => 0.2;
    const result = await runCanary(config());
    expect(result.outcome).toBe('aborted');
    expect(splits).toEqual([25, 0]);
    expect(result.verdict?.check).toBe('error-rate');
    expect(statuses(result.deploymentId).at(-1)).toMatch(/^failure: .*0\.2/);
    expect(inflight.at(-1)).toBeUndefined();
  });

  it('a step that goes bad midway is caught in that step, not the next', async () => {
    await live('1.0.0');
    const t0 = clock.now();
    errorRate = (at) => (at - t0 > 90_000 ? 0.05 : 0.001);
    const result = await runCanary(config());
    expect(result.outcome).toBe('aborted');
    expect(splits).toEqual([25, 50, 0]);
    expect(result.steps.at(-1)).toMatchObject({ weight: 50, outcome: 'failed' });
  });

  it('no data (NaN over an idle window) is never a pass: the canary stops at the inconclusive limit', async () => {
    await live('1.0.0');
    errorRate = () => undefined;
    const result = await runCanary(config());
    expect(result.outcome).toBe('aborted');
    expect(splits).toEqual([25, 0]);
    expect(result.verdict?.reason).toMatch(/data/i);
  });

  it('paused at the manual gate, then promoted by a later run from where it stood', async () => {
    await live('1.0.0');
    const paused = await runCanary(config({ mode: 'start' }));
    expect(paused.outcome).toBe('paused');
    expect(splits).toEqual([25]);
    const description =
      emulator.state.statuses.filter((s) => s.deploymentId === paused.deploymentId).at(-1)?.description ?? '';
    expect(readStatus(description)).toEqual({ weight: 25, paused: true });
    // promote.yml: no steps given, the recorded rollout goes on (50, then 100).
    const promoted = await runCanary(
      config({ mode: 'promote', steps: undefined, intervalMs: undefined, canary: { version: '2.0.0' } }),
    );
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.deploymentId).toBe(paused.deploymentId);
    expect(splits).toEqual([25, 50, 100]);
  });

  it('paused, then aborted by hand: traffic back on stable, the record a failure', async () => {
    await live('1.0.0');
    const paused = await runCanary(config({ mode: 'start' }));
    const aborted = await runCanary(config({ mode: 'abort', canary: { version: '2.0.0' } }));
    expect(aborted.outcome).toBe('aborted');
    expect(splits).toEqual([25, 0]);
    expect(statuses(paused.deploymentId).at(-1)).toMatch(/^failure: /);
    await expect(runCanary(config({ mode: 'promote' }))).rejects.toThrow(/No canary of 2\.0\.0 is in progress/);
  });

  it('never promotes or aborts a phased release as if it were a canary: it names kind: phased, and moves no traffic', async () => {
    await live('1.0.0');
    const id = await records.create(
      'main',
      { version: '2.0.0', kind: 'phased', stable: '1.0.0' },
      'phased',
      await records.state(),
    );
    await records.status(id, 'in_progress', 'paused after batch 1/3: 1/6 on 2.0.0, waiting for continue or abort');
    for (const mode of ['promote', 'abort'] as const)
      await expect(runCanary(config({ mode }))).rejects.toThrow(
        /^The rollout of 2\.0\.0 in .* \(deployment \d+\) is a phased release, not a canary: run promote\.yml with kind: phased\.$/,
      );
    expect(splits).toEqual([]);
  });

  it('cancelled mid-step: the run stops with the split saved, and settling it restores stable and the record', async () => {
    await live('1.0.0');
    const controller = new AbortController();
    clock.at(70_000, () => controller.abort());
    await expect(runCanary(config({ signal: controller.signal }))).rejects.toBeInstanceOf(Cancelled);
    const state = inflight.at(-1) as InflightState;
    expect(state).toMatchObject({ weight: 50, stable: { version: '1.0.0' }, canary: { version: '2.0.0' } });
    expect(statuses(state.deploymentId).at(-1)).toMatch(/^in_progress/);
    // The post step.
    const settled = await settleInflight(state, postStep(traffic, []));
    expect(settled.restored).toBe(true);
    expect(splits).toEqual([25, 50, 0]);
    expect(statuses(state.deploymentId).at(-1)).toMatch(/^failure: cancelled at 50%/);
  });

  it('cancelled and the traffic cannot be restored: the record says so (error), never left in_progress', async () => {
    const state: InflightState = {
      deploymentId: await records.create(
        sha,
        { version: '2.0.0', kind: 'canary' },
        'canary of 2.0.0',
        await records.state(),
      ),
      canary: { version: '2.0.0' },
      stable: { version: '1.0.0' },
      weight: 25,
    };
    const broken: TrafficProvider = new MemoryTraffic(() => Promise.reject(new Error('admin socket refused')), {
      name: 'broken',
    });
    const lines: string[] = [];
    const settled = await settleInflight(state, postStep(broken, lines));
    expect(settled).toEqual({ restored: false, why: 'admin socket refused' });
    expect(lines[0]).toMatch(/^TRAFFIC NOT RESTORED/);
    expect(statuses(state.deploymentId).at(-1)).toMatch(/^error: .*admin socket refused/);
  });

  it('an abandoned attempt of this run (lost runner) is closed and the re-run restarts from the first step', async () => {
    await live('1.0.0');
    const left = await records.create(
      sha,
      { version: '2.0.0', kind: 'canary', run: { id: '77', attempt: 1 } },
      'canary of 2.0.0',
      await records.state(),
    );
    await records.status(
      left,
      'in_progress',
      describeStatus({ kind: 'step', weight: 50, version: '2.0.0', stable: '1.0.0', checks: 1 }),
    );
    const result = await runCanary(config({ run: { id: '77', attempt: 2 } }));
    expect(result.outcome).toBe('promoted');
    expect(statuses(left).at(-1)).toMatch(/^error: .*abandoned at 50%/);
    expect(splits).toEqual([25, 50, 100]);
  });

  it('an open canary of another version stops a new one before any traffic moves', async () => {
    await live('1.0.0');
    await runCanary(config({ mode: 'start' }));
    splits = [];
    await expect(runCanary(config({ version: '2.1.0' }))).rejects.toThrow(/A canary of 2\.0\.0 is still in progress/);
    expect(splits).toEqual([]);
  });

  it('settled by hand while it runs: the run moves nothing more', async () => {
    await live('1.0.0');
    let id = 0;
    clock.at(30_000, async () => {
      id = emulator.state.deployments.at(-1)?.id ?? 0;
      await records.status(id, 'failure', 'aborted by hand at 25%');
    });
    const result = await runCanary(config());
    expect(result.outcome).toBe('aborted');
    expect(result.verdict?.reason).toMatch(/settled by someone else/);
    expect(splits).toEqual([25]);
    expect(statuses(id).at(-1)).toBe('failure: aborted by hand at 25%');
  });

  it('waits for a running rollback (virtual time), then fails with one line when it does not finish', async () => {
    await live('1.0.0');
    const rollback = await records.create(
      sha,
      { version: '1.0.0', kind: 'rollback' },
      'rollback to 1.0.0',
      await records.state(),
    );
    await records.status(rollback, 'in_progress', 'deploying 1.0.0 from its original artifact');
    await expect(runCanary(config({ waitTimeoutMs: 60_000 }))).rejects.toThrow(
      /rollback to 1\.0\.0 is still running in production .* after waiting 1m/,
    );
    expect(clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-01-01T00:01:00Z'));
    expect(splits).toEqual([]);
  });

  it('rollback: the previous release comes back from its original artifact (digest checked), the current one retired', async () => {
    const { artifact, data, digest, dir } = publishArchive();
    const first = await records.create(
      sha,
      { version: '1.0.0', kind: 'canary', artifact },
      'canary of 1.0.0',
      await records.state(),
    );
    await records.status(first, 'success', 'promoted 1.0.0');
    const bad = await runCanary(config());
    expect(bad.outcome).toBe('promoted');
    splits = [];
    const deployed: string[] = [];
    const result = await runRollback({
      ...rollbackPorts(),
      traffic: new MemoryTraffic((split) => void deployed.push(`${split.stable.version}:${100 - split.canaryWeight}`)),
      workDir: dir,
      logger: silentLogger,
    });
    expect(result).toMatchObject({ version: '1.0.0', digest, source: 'release v1.0.0 asset app.tar.gz' });
    expect(deployed).toEqual(['1.0.0:100']);
    expect(statuses(result.deploymentId as number).at(-1)).toMatch(/^success: rolled back from 2\.0\.0 to 1\.0\.0/);
    expect(statuses(bad.deploymentId).at(-1)).toMatch(/^inactive: rolled back to 1\.0\.0/);
    // A changed asset is refused before anything is deployed.
    (emulator.state.assets.at(-1) as { data: Buffer }).data = Buffer.concat([data, Buffer.from('x')]);
    await live('2.0.0');
    deployed.length = 0;
    await expect(
      runRollback({
        ...rollbackPorts(),
        workDir: mkdtempSync(join(tmpdir(), 'machine-')),
        logger: silentLogger,
      }),
    ).rejects.toThrow(/Digest mismatch/);
    expect(deployed).toEqual([]);
  });

  /** A rollback whose record lands just before the canary's (both read "quiet"), settled at 20 s. */
  const rollbackFirst = (settle: 'success' | 'failure') => {
    let rollback = 0;
    beforeCreate('canary', async () => {
      rollback = await records.create(
        sha,
        { version: '0.9.0', kind: 'rollback' },
        'rollback to 0.9.0',
        await records.state(),
      );
      await records.status(rollback, 'in_progress', 'deploying 0.9.0 from its original artifact');
      clock.at(20_000, () => records.status(rollback, settle, `rollback to 0.9.0: ${settle}`));
    });
    return () => rollback;
  };

  it('start race, a rollback first that restores another release: the canary waits with its one record, then withdraws it and says to run again', async () => {
    await live('1.0.0');
    const rollback = rollbackFirst('success');
    const lines: string[] = [];
    await expect(
      runCanary(
        config({ waitTimeoutMs: 600_000, logger: { ...silentLogger, info: (l: string) => void lines.push(l) } }),
      ),
    ).rejects.toThrow(
      /waited for the rollback to 0\.9\.0 \(deployment \d+\), which started first, and 0\.9\.0 is live now, not the stable this canary recorded \(1\.0\.0\): it withdrew its record \d+ .* Run it again/,
    );
    const canaries = emulator.state.deployments.filter((d) => (d.payload as { kind?: string }).kind === 'canary');
    const mine = canaries.filter((d) => d.id > rollback());
    expect(mine).toHaveLength(1);
    expect(statuses(mine[0]?.id ?? 0)).toEqual([
      expect.stringMatching(/^queued: waiting for the rollback to 0\.9\.0 \(deployment \d+\), which started first$/),
      expect.stringMatching(/^error: withdrawn before changing anything: 0\.9\.0 is live now/),
    ]);
    expect(lines.join('\n')).toMatch(/The rollback to 0\.9\.0 .* got there first: this canary of 2\.0\.0 waits for it/);
    expect(splits).toEqual([]);
  });

  it('start race, a rollback first that fails: the canary goes on with its one record over the unchanged stable', async () => {
    await live('1.0.0');
    const rollback = rollbackFirst('failure');
    const result = await runCanary(config({ waitTimeoutMs: 600_000 }));
    expect(result.outcome).toBe('promoted');
    expect(result.stable.version).toBe('1.0.0');
    const mine = emulator.state.deployments.filter(
      (d) => (d.payload as { kind?: string }).kind === 'canary' && d.id > rollback(),
    );
    expect(mine.map((d) => d.id)).toEqual([result.deploymentId]);
    expect(statuses(result.deploymentId)[0]).toMatch(/^queued: waiting for the rollback to 0\.9\.0/);
    // No traffic moved before the rollback settled.
    expect(splits).toEqual([25, 50, 100]);
    expect(clock.now()).toBeGreaterThanOrEqual(20_000);
  });

  it('start race, a canary first that is aborted: the rollback waits with its one record, then goes on as planned', async () => {
    const { artifact, dir } = publishArchive();
    const first = await records.create(
      sha,
      { version: '1.0.0', kind: 'canary', artifact },
      'canary of 1.0.0',
      await records.state(),
    );
    await records.status(first, 'success', 'promoted 1.0.0');
    await live('2.0.0');
    let rival = 0;
    let settled = 0;
    beforeCreate('rollback', async () => {
      rival = await records.create(sha, { version: '2.1.0', kind: 'canary' }, 'canary of 2.1.0', await records.state());
      await records.status(
        rival,
        'in_progress',
        describeStatus({ kind: 'starting', version: '2.1.0', stable: '2.0.0' }),
      );
      // The canary goes bad and is aborted a little later: 2.0.0 stays live.
      clock.at(9_000, async () => {
        await records.status(rival, 'failure', describeStatus({ kind: 'aborted', weight: 25, reason: 'error-rate' }));
        settled = clock.now();
      });
    });
    const deployed: string[] = [];
    const lines: string[] = [];
    const result = await runRollback({
      ...rollbackPorts(),
      traffic: new MemoryTraffic((split) => void deployed.push(`${split.stable.version}:${clock.now()}`)),
      workDir: dir,
      waitTimeoutMs: 600_000,
      clock,
      logger: { ...silentLogger, info: (l: string) => void lines.push(l) },
    });
    expect(result.version).toBe('1.0.0');
    const rollbacks = emulator.state.deployments.filter((d) => (d.payload as { kind?: string }).kind === 'rollback');
    expect(rollbacks.map((d) => d.id)).toEqual([result.deploymentId]);
    expect(statuses(result.deploymentId as number)[0]).toMatch(
      /^queued: waiting for the canary of 2\.1\.0 \(deployment \d+\), which started first$/,
    );
    expect(statuses(result.deploymentId as number).at(-1)).toMatch(/^success: rolled back from 2\.0\.0 to 1\.0\.0/);
    // Traffic moved once, after the canary had settled.
    expect(settled).toBeGreaterThan(0);
    expect(deployed).toHaveLength(1);
    expect(Number(deployed[0]?.split(':')[1])).toBeGreaterThanOrEqual(settled);
    expect(lines.join('\n')).toMatch(/The canary of 2\.1\.0 .* got there first: this rollback waits for it/);
  });

  it('payloads carry their format; a record of a newer format is left out, never acted on', async () => {
    const old = await live('1.0.0');
    expect(emulator.state.deployments.find((d) => d.id === old)?.payload).toMatchObject({
      format: 1,
      version: '1.0.0',
    });
    // A later rollgate's record, whose rules this one cannot know.
    const newer = await gh.rest.repos.createDeployment({
      owner: emulator.owner,
      repo: emulator.repo,
      ref: sha,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      payload: { format: 2, version: '3.0.0', kind: 'canary' },
    });
    const newerId = (newer.data as { id: number }).id;
    await records.status(newerId, 'success', 'promoted 3.0.0');
    expect((await records.state()).refused).toEqual([
      { id: newerId, why: expect.stringMatching(/format 2 is newer than this rollgate reads \(1\)/) },
    ]);
    const result = await runCanary(config());
    expect(result.stable.version).toBe('1.0.0');
  });
});
