/**
 * Records at GitHub scale: the real canary and rollback over environments with years of
 * history (31, 100 and 1,000 records since the live release, retired releases before it, 200
 * releases for a rollback to reach back through), every record traced to its run as the actions
 * do (provenance over the emulator's runs), on a virtual clock. What must hold at any depth: a bad
 * canary is judged against the live release (never a "first release" at 100%); a rollback
 * reaches any earlier release; the requests a canary makes do not grow with the depth; a flood of
 * records the suite cannot trace, or an index that hides the live release, never fails open.
 */
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactRef, GitHub, ReleaseRecords } from '@rollgate/github';
import { silentLogger } from '@rollgate/kit';
import type { MetricsSource, Reading } from '@rollgate/metrics';
import { parseChecks } from '@rollgate/analysis';
import {
  MemoryTraffic,
  VirtualClock,
  createRemote,
  linearHistory,
  seedRepository,
  type GitHubEmulator,
} from '@rollgate/testbed';
import { inProcessGitHub, seedHistory, type HistoryEntry } from '@rollgate/testbed/in-process';
import { runCanary, runRollback, type CanaryConfig } from '../src/index.js';

const remote = createRemote();
seedRepository(remote);
/** One commit per version 1.<i>.0, tagged v1.<i>.0. */
let shas: string[];
beforeAll(() => {
  shas = linearHistory(remote, 1300, (i) => `v1.${i}.0`);
});

let emulator: GitHubEmulator;
let gh: GitHub;
let records: ReleaseRecords;
let clock: VirtualClock;
let splits: number[];
let ownRun = 5_000_000;

beforeEach(() => {
  clock = new VirtualClock();
  ({ emulator, gh, records } = inProcessGitHub(remote, { provenance: true, clock: () => clock.now() }));
  splits = [];
});

const traffic = new MemoryTraffic((split) => void splits.push(split.canaryWeight));

/** The new version errs at `rate`; every other version at 0.1%. */
const metrics = (version: string, rate: number): MetricsSource => ({
  name: 'prometheus',
  async read(query: string): Promise<Reading> {
    return { kind: 'value', value: query.includes(`"${version}"`) ? rate : 0.001 };
  },
});

const FIRST_RUN = 1_000_000;
const version = (i: number) => `1.${i}.0`;
/** Digests of the archives published as release assets (publish); others are never fetched. */
const digests = new Map<number, string>();
const artifactOf = (i: number, builtBy: number): ArtifactRef => ({
  name: `app-${version(i)}`,
  digest: digests.get(i) ?? `sha256:${createHash('sha256').update(version(i)).digest('hex')}`,
  run_id: String(builtBy),
  release_tag: `v${version(i)}`,
  asset: 'app.tar.gz',
});

/**
 * A history: `retired` releases each replaced by the next, then the live one, then `after`
 * records that leave it live (failed canaries, aborted phased releases, failed rollbacks, runs
 * that broke), in turn. Entry n is written by run FIRST_RUN + n + 1; a release is built by its own run.
 */
function history(retired: number, after: number, firstRun = FIRST_RUN, from = 0): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const built = new Map<number, number>();
  const release = (i: number, kind: HistoryEntry['kind'], outcome: HistoryEntry['outcome']): HistoryEntry => {
    const run = firstRun + entries.length + 1;
    if (!built.has(i) && kind !== 'rollback') built.set(i, run);
    return {
      kind,
      version: version(i),
      outcome,
      sha: shas[i] as string,
      tag: `v${version(i)}`,
      artifact: artifactOf(i, built.get(i) ?? run),
      address: `10.0.${i % 250}.1:8080`,
    };
  };
  for (let i = 0; i <= retired && retired >= 0; i += 1) entries.push(release(i, 'canary', 'live'));
  const kinds: [HistoryEntry['kind'], HistoryEntry['outcome']][] = [
    ['canary', 'failed'],
    ['phased', 'aborted'],
    ['rollback', 'failed'],
    ['canary', 'error'],
  ];
  for (let n = 0; n < after; n += 1) {
    const [kind, outcome] = kinds[n % kinds.length] as [HistoryEntry['kind'], HistoryEntry['outcome']];
    // A failed rollback went back to an earlier release; the others tried a new version.
    const i = kind === 'rollback' ? Math.max(0, retired - 1) : from + retired + 1 + n;
    entries.push(release(i, kind, outcome));
  }
  return entries;
}

/** A canary of version 1.<i>.0 as the pipeline run `ownRun` starts it, traced like every record. */
function canary(i: number, over: Partial<CanaryConfig> = {}): CanaryConfig {
  ownRun += 1;
  emulator.startRun({ id: ownRun, head_sha: shas[i] as string });
  return {
    version: version(i),
    ref: shas[i] as string,
    mode: 'run',
    steps: [5, 25, 50, 100],
    intervalMs: 60_000,
    samplesPerStep: 3,
    failureLimit: 1,
    inconclusiveLimit: 1,
    checks: parseChecks(`- name: error-rate\n  query: 'rate(errors{version="{{version}}"}[{{window}}])'\n  max: 0.01`),
    sources: { prometheus: metrics(version(i), 0.001) },
    traffic,
    canary: { version: version(i), address: '10.9.9.9:8080' },
    stable: {},
    records,
    payload: { commit: shas[i] as string },
    run: { id: String(ownRun), attempt: 1 },
    logger: silentLogger,
    inflight: () => undefined,
    clock,
    ...over,
  };
}

/** Requests the emulator answered while `work` ran. */
async function counted<T>(work: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const before = emulator.requests.length;
  const result = await work();
  return { result, requests: emulator.requests.length - before };
}

describe('records at any depth (real canary and rollback, provenance, virtual clock)', () => {
  const budget: Record<number, number> = {};

  it.each([31, 100, 1000])(
    'a bad canary with %i records since the live release is judged against it and aborted, never promoted',
    async (after) => {
      const seeded = await seedHistory(emulator, 'production', history(5, after), clock, { firstRun: FIRST_RUN });
      const liveVersion = version(5);
      const bad = 1200;
      const { result, requests } = await counted(() =>
        runCanary(canary(bad, { sources: { prometheus: metrics(version(bad), 0.5) } })),
      );
      expect(result.outcome).toBe('aborted');
      expect(result.stable.version).toBe(liveVersion);
      expect(splits).toEqual([5, 0]);
      expect(splits).not.toContain(100);
      // The live release is still the one the history left.
      const state = await records.state();
      expect(state.live?.id).toBe(seeded.live);
      budget[after] = requests;
    },
    120_000,
  );

  it('a healthy 4-step canary costs the same at 10 and at 1,000 earlier releases, within 40 requests', async () => {
    const cost = async (retired: number) => {
      clock = new VirtualClock();
      ({ emulator, gh, records } = inProcessGitHub(remote, { provenance: true, clock: () => clock.now() }));
      await seedHistory(emulator, 'production', history(retired, 0), clock, { firstRun: FIRST_RUN });
      const { result, requests } = await counted(() => runCanary(canary(1250)));
      expect(result.outcome).toBe('promoted');
      return requests;
    };
    const shallow = await cost(10);
    const deep = await cost(1000);
    expect(deep).toBe(shallow);
    expect(deep).toBeLessThanOrEqual(40);
  }, 120_000);

  it('a rollback reaches a release 200 releases back: by version, by deployment, in a bounded number of requests', async () => {
    const target = 10;
    const dir = publish(target);
    const before = publish(209);
    const seeded = await seedHistory(emulator, 'production', history(210, 0), clock, { firstRun: FIRST_RUN });
    const rollback = (over: object) => {
      ownRun += 1;
      emulator.startRun({
        id: ownRun,
        head_sha: shas[0] as string,
        event: 'workflow_dispatch',
        path: '.github/workflows/rollback.yml',
      });
      return runRollback({
        records,
        gh,
        token: 'unit-test-token',
        repo: { owner: emulator.owner, repo: emulator.repo },
        dryRun: true,
        deployCommand: ['true'],
        workDir: dir,
        run: { id: String(ownRun), attempt: 1 },
        logger: silentLogger,
        clock,
        ...over,
      });
    };
    const byVersion = await counted(() => rollback({ toVersion: version(target) }));
    expect(byVersion.result.target.id).toBe(seeded.ids[target]);
    expect(byVersion.result.current.id).toBe(seeded.live);
    expect(byVersion.requests).toBeLessThanOrEqual(40);
    const byId = await rollback({ toDeployment: seeded.ids[target] });
    expect(byId.target.payload.version).toBe(version(target));
    // The default: the release before the live one, along the index chain.
    const previous = await counted(() => rollback({ workDir: before }));
    expect(previous.result.target.payload.version).toBe(version(209));
    expect(previous.requests).toBeLessThanOrEqual(40);
  }, 120_000);

  it('a flood of records the suite cannot trace never hides the live release, nor makes a first release', async () => {
    const seeded = await seedHistory(emulator, 'production', history(2, 3), clock, { firstRun: FIRST_RUN });
    // 60 records naming runs that never ran, newer than everything the suite wrote.
    for (let n = 0; n < 60; n += 1) forge({ run: { id: String(7_000_000 + n), attempt: 1 } });
    const result = await runCanary(canary(1201, { sources: { prometheus: metrics(version(1201), 0.5) } }));
    expect(result.outcome).toBe('aborted');
    expect(result.stable.version).toBe(version(2));
    expect((await records.state()).live?.id).toBe(seeded.live);
  }, 120_000);

  it('a flood too large to read within the request limit stops with one line before anything moves', async () => {
    await seedHistory(emulator, 'production', history(1, 0), clock, { firstRun: FIRST_RUN });
    for (let n = 0; n < 450; n += 1) forge({ run: { id: String(8_000_000 + n), attempt: 1 } });
    await expect(runCanary(canary(1202))).rejects.toThrow(
      /could not be read within 400 requests: .* not trusted .*Nothing was changed/,
    );
    expect(splits).toEqual([]);
  }, 120_000);

  it('an index that hides the live release is not believed: the whole history is read, and the live release found', async () => {
    const seeded = await seedHistory(emulator, 'production', history(3, 2), clock, { firstRun: FIRST_RUN });
    // A run of the suite's workflow that writes nothing here is running; a record claims it,
    // passes provenance, and its index says nothing is live.
    const quiet = 6_500_000;
    emulator.startRun({ id: quiet, head_sha: shas[1250] as string });
    clock.advance(60_000);
    const head = Math.max(...emulator.state.deployments.map((d) => d.id));
    forge(
      {
        version: version(1250),
        kind: 'canary',
        commit: shas[1250],
        run: { id: String(quiet), attempt: 1 },
        index: { head, open: [] },
      },
      shas[1250] as string,
    );
    await records.status(Math.max(...emulator.state.deployments.map((d) => d.id)), 'failure', 'failed');
    const state = await records.state();
    expect(state.live?.id).toBe(seeded.live);
    expect(state.whole).toBe(true);
    const result = await runCanary(canary(1203, { sources: { prometheus: metrics(version(1203), 0.5) } }));
    expect(result.stable.version).toBe(version(3));
    expect(splits).not.toContain(100);
  }, 120_000);

  it('the live release gone (marked inactive by hand, or copied onto its own run) is never a first release', async () => {
    const seeded = await seedHistory(emulator, 'production', history(2, 3), clock, { firstRun: FIRST_RUN });
    await records.status(seeded.live as number, 'inactive', 'someone cleaned up');
    await expect(runCanary(canary(1204))).rejects.toThrow(
      new RegExp(
        `No trusted live release in production, but deployment ${seeded.live}, live when deployment \\d+ was written, is inactive now`,
      ),
    );
    expect(splits).toEqual([]);
  }, 120_000);

  it('a copy of the live record made while its run was going, 40 records deep, leaves neither trusted', async () => {
    const seeded = await seedHistory(emulator, 'production', history(2, 0), clock, { firstRun: FIRST_RUN });
    const live = emulator.state.deployments.find((d) => d.id === seeded.live);
    // Within two minutes of its run's end: provenance alone would pass the copy.
    const copy = forge({ ...(live?.payload as object), address: '203.0.113.66:80' }, live?.sha);
    await seedHistory(emulator, 'production', history(-1, 40, FIRST_RUN + 100, 2), clock, {
      firstRun: FIRST_RUN + 100,
    });
    const state = await records.state();
    expect(state.live).toBeUndefined();
    expect(state.refused.map((r) => r.id)).toEqual(expect.arrayContaining([seeded.live, copy]));
    await expect(runCanary(canary(1205))).rejects.toThrow(/Rollgate will not treat this as a first release/);
    expect(splits).toEqual([]);
  }, 120_000);

  afterAllBudget(budget);
});

/** A record written straight through the API by someone with deployments: write. */
function forge(payload: object, sha = shas[0] as string): number {
  const id = emulator.nextId();
  emulator.state.deployments.push({
    id,
    sha,
    ref: sha,
    task: 'deploy',
    payload: { version: '9.9.9', kind: 'canary', address: '203.0.113.66:80', ...payload },
    environment: 'production',
    original_environment: 'production',
    description: null,
    transient_environment: false,
    production_environment: true,
    created_at: emulator.now(),
    updated_at: emulator.now(),
  });
  return id;
}

/** Release 1.<i>.0's archive as a release asset (before the history is seeded: records carry its digest). */
function publish(i: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'depth-'));
  writeFileSync(join(dir, 'VERSION'), `${version(i)}\n`);
  execFileSync('tar', ['-czf', join(dir, 'app.tar.gz'), '-C', dir, 'VERSION']);
  const data = readFileSync(join(dir, 'app.tar.gz'));
  digests.set(i, `sha256:${createHash('sha256').update(data).digest('hex')}`);
  const releaseId = emulator.nextId();
  emulator.state.releases.push({
    id: releaseId,
    tag_name: `v${version(i)}`,
    target_commitish: 'main',
    name: `v${version(i)}`,
    body: '',
    draft: false,
    prerelease: false,
    created_at: emulator.now(),
    published_at: emulator.now(),
  });
  emulator.state.assets.push({
    id: emulator.nextId(),
    releaseId,
    name: 'app.tar.gz',
    label: null,
    contentType: 'application/gzip',
    data,
    createdAt: emulator.now(),
  });
  return dir;
}

function afterAllBudget(budget: Record<number, number>): void {
  it('the bad canary made as many requests at 1,000 records since the live release as at 31', () => {
    expect(budget[1000]).toBeDefined();
    expect(budget[1000]).toBe(budget[31]);
  });
}
