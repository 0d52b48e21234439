/**
 * GitHub API requests per operation against history depth: a healthy 4-step canary, a rollback
 * (to the release before, and to a release 9/10 of the way back) and each batch of a phased
 * release, over environments with 10, 100 and 1,000 earlier releases, and with as many failed
 * rollouts since the live release. Every record is traced to its run (provenance included), on
 * the in-process GitHub emulator and a virtual clock. The anchor is the same operation at depth
 * 10 in the same run: the ratio must stay 1 (the cost does not grow with depth), and the canary
 * within its budget of 40 requests.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChecks } from '@rollgate/analysis';
import { silentLogger } from '@rollgate/kit';
import type { ArtifactRef } from '@rollgate/github';
import {
  MemoryTraffic,
  VirtualClock,
  createRemote,
  linearHistory,
  seedRepository,
  type GitHubEmulator,
} from '@rollgate/testbed';
import { inProcessGitHub, seedHistory, type HistoryEntry } from '@rollgate/testbed/in-process';
import { parseTargets, runCanary, runPhased, runRollback } from '@rollgate/delivery';

const BUDGET = { canary: 40, rollback: 40, batch: 10 };
const DEPTHS = [10, 100, 1000];
const remote = createRemote();
seedRepository(remote);
const shas = linearHistory(remote, 2100, (i) => `v1.${i}.0`);
const version = (i: number) => `1.${i}.0`;
const FIRST_RUN = 1_000_000;
let ownRun = 5_000_000;

interface Setup {
  emulator: GitHubEmulator;
  records: ReturnType<typeof inProcessGitHub>['records'];
  gh: ReturnType<typeof inProcessGitHub>['gh'];
  clock: VirtualClock;
  archives: Map<number, { digest: string; dir: string }>;
}

/** An archive per release that a rollback fetches, published as its release asset. */
function archive(s: Setup, i: number): { digest: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-records-'));
  writeFileSync(join(dir, 'VERSION'), `${version(i)}\n`);
  execFileSync('tar', ['-czf', join(dir, 'app.tar.gz'), '-C', dir, 'VERSION']);
  const data = readFileSync(join(dir, 'app.tar.gz'));
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const releaseId = s.emulator.nextId();
  const at = s.emulator.now();
  s.emulator.state.releases.push({
    id: releaseId,
    tag_name: `v${version(i)}`,
    target_commitish: 'main',
    name: null,
    body: null,
    draft: false,
    prerelease: false,
    created_at: at,
    published_at: at,
  });
  s.emulator.state.assets.push({
    id: s.emulator.nextId(),
    releaseId,
    name: 'app.tar.gz',
    label: null,
    contentType: 'application/gzip',
    data,
    createdAt: at,
  });
  return { digest, dir };
}

async function setup(releases: number, since: number): Promise<Setup> {
  const clock = new VirtualClock();
  const { emulator, records, gh } = inProcessGitHub(remote, { provenance: true, clock: () => clock.now() });
  const s: Setup = { emulator, records, gh, clock, archives: new Map() };
  const back = Math.floor(releases / 10);
  for (const i of [back, releases - 1]) s.archives.set(i, archive(s, i));
  const artifact = (i: number, run: number): ArtifactRef => ({
    name: `app-${version(i)}`,
    digest: s.archives.get(i)?.digest ?? `sha256:${createHash('sha256').update(version(i)).digest('hex')}`,
    run_id: String(run),
    release_tag: `v${version(i)}`,
    asset: 'app.tar.gz',
  });
  const entries: HistoryEntry[] = [];
  const entry = (i: number, outcome: HistoryEntry['outcome'], kind: HistoryEntry['kind'] = 'canary') => {
    const run = FIRST_RUN + entries.length + 1;
    entries.push({
      kind,
      version: version(i),
      outcome,
      sha: shas[i] as string,
      tag: `v${version(i)}`,
      artifact: artifact(i, run),
    });
  };
  for (let i = 0; i <= releases; i += 1) entry(i, 'live');
  for (let n = 0; n < since; n += 1) entry(releases + 1 + n, n % 2 ? 'aborted' : 'failed', n % 2 ? 'phased' : 'canary');
  await seedHistory(emulator, 'production', entries, clock, { firstRun: FIRST_RUN });
  return s;
}

async function counted(s: Setup, work: () => Promise<unknown>): Promise<number> {
  const before = s.emulator.requests.length;
  await work();
  return s.emulator.requests.length - before;
}

const canaryConfig = (s: Setup, i: number) => {
  ownRun += 1;
  s.emulator.startRun({ id: ownRun, head_sha: shas[i] as string });
  return {
    version: version(i),
    ref: shas[i] as string,
    mode: 'run' as const,
    steps: [5, 25, 50, 100],
    intervalMs: 60_000,
    samplesPerStep: 3,
    failureLimit: 1,
    inconclusiveLimit: 1,
    checks: parseChecks(`- name: error-rate\n  query: 'rate(errors{version="{{version}}"}[{{window}}])'\n  max: 0.01`),
    sources: { prometheus: { name: 'prometheus', read: async () => ({ kind: 'value' as const, value: 0.001 }) } },
    traffic: new MemoryTraffic(),
    canary: { version: version(i), address: '10.9.9.9:8080' },
    stable: {},
    records: s.records,
    payload: { commit: shas[i] as string },
    run: { id: String(ownRun), attempt: 1 },
    logger: silentLogger,
    inflight: () => undefined,
    clock: s.clock,
  };
};

async function rollbackCost(s: Setup, to: number | undefined, live: number): Promise<number> {
  ownRun += 1;
  s.emulator.startRun({
    id: ownRun,
    head_sha: shas[live] as string,
    event: 'workflow_dispatch',
    path: '.github/workflows/rollback.yml',
  });
  const target = to ?? live - 1;
  return counted(s, () =>
    runRollback({
      records: s.records,
      gh: s.gh,
      token: 't',
      repo: { owner: s.emulator.owner, repo: s.emulator.repo },
      dryRun: false,
      deployCommand: ['true'],
      workDir: s.archives.get(target)?.dir as string,
      ...(to !== undefined ? { toVersion: version(to) } : {}),
      run: { id: String(ownRun), attempt: 1 },
      logger: silentLogger,
      clock: s.clock,
    }),
  );
}

/** Requests of a phased release of `batches` batches of one target each. */
async function phasedCost(s: Setup, i: number, batches: number): Promise<number> {
  ownRun += 1;
  s.emulator.startRun({ id: ownRun, head_sha: shas[i] as string });
  const targets = parseTargets(
    Array.from({ length: batches }, (_, n) => `web-${n + 1}=10.0.1.${n + 1}:8080`).join('\n'),
  );
  return counted(s, () =>
    runPhased({
      ...canaryConfig(s, i),
      run: { id: String(ownRun), attempt: 1 },
      batches: targets.map((t) => [t]),
      intervalMs: 60_000,
      artifact: { name: `app-${version(i)}`, digest: `sha256:${'0'.repeat(64)}` },
      fleet: {
        name: 'memory',
        check: async () => undefined,
        drain: async () => undefined,
        ready: async () => undefined,
        inspect: async (ts) =>
          ts.map((t) => ({ name: t.name, inRotation: true, drainedEverywhere: false, detail: 'in rotation' })),
        enforce: async () => [],
      },
      deployer: { deploy: async () => undefined },
      probe: async () => ({ version: version(i) }),
    }),
  );
}

const rows: string[][] = [];
const anchor: Record<string, number> = {};
for (const depth of DEPTHS) {
  for (const [label, releases, since] of [
    [`${depth} earlier releases`, depth, 0],
    [`${depth} failed rollouts since the live release`, 10, depth],
  ] as [string, number, number][]) {
    const s = await setup(releases, since);
    const canary = await counted(s, () => runCanary(canaryConfig(s, 2000)));
    const s2 = await setup(releases, since);
    const back = await rollbackCost(s2, undefined, releases);
    const s3 = await setup(releases, since);
    const far = await rollbackCost(s3, Math.floor(releases / 10), releases);
    const s4 = await setup(releases, since);
    const one = await phasedCost(s4, 2001, 1);
    const s5 = await setup(releases, since);
    const three = await phasedCost(s5, 2002, 3);
    const batch = (three - one) / 2;
    const key = since ? 'since' : 'releases';
    if (depth === DEPTHS[0]) anchor[key] = canary;
    rows.push([
      label,
      String(canary),
      String(back),
      String(far),
      batch.toFixed(1),
      (canary / (anchor[key] ?? canary)).toFixed(2),
    ]);
    console.log(
      `${label}: canary ${canary}, rollback ${back} (previous) / ${far} (to ${version(Math.floor(releases / 10))}), phased batch ${batch.toFixed(1)}`,
    );
  }
}
console.log(
  '\n| history | canary (4 steps) | rollback (previous) | rollback (9/10 back) | per phased batch | canary vs depth 10 |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
const worst = Math.max(...rows.map((r) => Number(r[1])));
const worstRollback = Math.max(...rows.map((r) => Math.max(Number(r[2]), Number(r[3]))));
const worstBatch = Math.max(...rows.map((r) => Number(r[4])));
console.log(
  `\nbudget: canary ${worst}/${BUDGET.canary} ${worst <= BUDGET.canary ? 'met' : 'NOT met'}; rollback ${worstRollback}/${BUDGET.rollback} ${worstRollback <= BUDGET.rollback ? 'met' : 'NOT met'}; phased batch ${worstBatch}/${BUDGET.batch} ${worstBatch <= BUDGET.batch ? 'met' : 'NOT met'}`,
);
