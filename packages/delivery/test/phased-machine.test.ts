/**
 * The phased release's state machine, every transition in milliseconds: the real rollout code,
 * records and judge against the GitHub emulator in-process with a virtual clock, a fleet port
 * that remembers which targets are in the load balancer, a deployer port that remembers which
 * version each target runs (and can fail), and a metrics port answering per version.
 * test/phased/ runs the same over a real HAProxy and six instances of the sample service.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { GitHub, ReleaseRecords } from '@rollgate/github';
import { Cancelled, InputError, silentLogger } from '@rollgate/kit';
import type { MetricsSource, Reading } from '@rollgate/metrics';
import type { Fleet } from '@rollgate/traffic';
import { VirtualClock, createRemote, seedRepository, type GitHubEmulator } from '@rollgate/testbed';
import { inProcessGitHub } from '@rollgate/testbed/in-process';
import { parseChecks } from '@rollgate/analysis';
import {
  parseTargets,
  planBatches,
  restorePrevious,
  runPhased,
  type PhasedConfig,
  type PhasedInflight,
  type Target,
} from '../src/index.js';

const remote = createRemote();
seedRepository(remote);

let emulator: GitHubEmulator;
let gh: GitHub;
let records: ReleaseRecords;
let clock: VirtualClock;
/** Which version each target runs, and which are out of the load balancer. */
let running: Record<string, string>;
let out: Set<string>;
let events: string[];
let failDeploy: (target: Target, version: string) => boolean;
let errorRate: (version: string) => number | undefined;

const targets = parseTargets(Array.from({ length: 6 }, (_, i) => `web-${i + 1}=10.0.0.${i + 11}:8080`).join('\n'));
const artifact = (v: string) => ({ name: `app-${v}`, digest: `sha256:${v.replace(/\D/g, '').padEnd(64, '0')}` });

const fleet: Fleet = {
  name: 'memory',
  async check(ts) {
    for (const t of ts) if (!(t.name in running)) throw new Error(`no server ${t.name}`);
  },
  async drain(ts) {
    for (const t of ts) out.add(t.name);
    events.push(`drain ${ts.map((t) => t.name).join(',')}`);
  },
  async ready(ts) {
    for (const t of ts) out.delete(t.name);
    events.push(`ready ${ts.map((t) => t.name).join(',')}`);
  },
};
const source: MetricsSource = {
  name: 'prometheus',
  async read(query: string): Promise<Reading> {
    const version = /version="([^"]+)"/.exec(query)?.[1] ?? '';
    const value = errorRate(version);
    return value === undefined ? { kind: 'no-data', detail: 'NaN' } : { kind: 'value', value };
  },
};

beforeEach(() => {
  ({ emulator, gh, records } = inProcessGitHub(remote));
  clock = new VirtualClock();
  running = Object.fromEntries(targets.map((t) => [t.name, '1.0.0']));
  out = new Set();
  events = [];
  failDeploy = () => false;
  errorRate = () => 0.001;
});

function config(over: Partial<PhasedConfig> = {}): PhasedConfig {
  return {
    version: '2.0.0',
    ref: 'main',
    batches: planBatches('1,50%,100%', targets, '50%'),
    intervalMs: 60_000,
    samplesPerStep: 3,
    failureLimit: 0,
    inconclusiveLimit: 1,
    checks: parseChecks(`- name: error-rate\n  query: 'rate(errors{version="{{version}}"}[{{window}}])'\n  max: 0.01`),
    sources: { prometheus: source },
    artifact: artifact('2.0.0'),
    fleet,
    deployer: {
      async deploy(t, release) {
        events.push(`deploy ${t.name} ${release.version}`);
        if (failDeploy(t, release.version)) throw new Error(`exit 1 on ${t.name}`);
        running[t.name] = release.version;
      },
    },
    probe: async (t) => (out.has(t.name) || running[t.name] ? undefined : `${t.name} refused`),
    records,
    payload: { commit: 'abc' },
    logger: silentLogger,
    inflight: (s) => void inflights.push(s),
    clock,
    ...over,
  };
}
let inflights: (PhasedInflight | undefined)[] = [];
beforeEach(() => {
  inflights = [];
});

async function live(version: string): Promise<number> {
  const id = await records.create(
    'main',
    { version, kind: 'phased', artifact: artifact(version) },
    `release ${version}`,
  );
  await records.status(id, 'success', `released: ${version}`);
  return id;
}
const statuses = (id: number) =>
  emulator.state.statuses.filter((s) => s.deploymentId === id).map((s) => `${s.state}: ${s.description}`);
const versions = () => targets.map((t) => running[t.name]);

describe('phased release plan (targets, batches, min healthy)', () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error('expected an InputError');
  };

  it('plans cumulative batches: counts and percentages rounded up, the last reaching every target', () => {
    expect(planBatches('1,50%,100%', targets, '50%').map((b) => b.map((t) => t.name))).toEqual([
      ['web-1'],
      ['web-2', 'web-3'],
      ['web-4', 'web-5', 'web-6'],
    ]);
    // 25% of 6 rounds up to 2, 50% is 3: one more target each time, then the rest.
    expect(planBatches('1,25%,50%,100%', targets, '0').map((b) => b.length)).toEqual([1, 1, 1, 3]);
    expect(parseTargets('[{"name":"a","address":"10.0.0.1:80"}]')).toEqual([{ name: 'a', address: '10.0.0.1:80' }]);
  });

  it('refuses, before anything changes, what would not reach 100%, not grow, or leave too few healthy', () => {
    expect(err(() => planBatches('1,50%', targets, '0'))).toMatch(/Input 'batches'.*reaches all 6 targets/);
    expect(err(() => planBatches('1,10%,100%', targets, '0'))).toMatch(
      /batches that grow: 10% of 6 targets is 1, not more than the 1/,
    );
    expect(err(() => planBatches('3,100%', targets, '4'))).toMatch(
      /Input 'min-healthy'.*at most 3 \(batch 1 takes 3 of the 6/,
    );
    expect(err(() => planBatches('1,7', targets, '0'))).toMatch(/at most the 6 targets/);
    expect(err(() => parseTargets('web-1=10.0.0.1:80\nweb-1=10.0.0.2:80'))).toMatch(/web-1 is listed twice/);
    expect(err(() => parseTargets('a=10.0.0.1:80\nb=10.0.0.1:80'))).toMatch(/10\.0\.0\.1:80 is listed twice/);
    expect(err(() => parseTargets('a=app.internal:80'))).toMatch(/an IPv4 address and port for a/);
    expect(err(() => parseTargets('bad name=10.0.0.1:80'))).toMatch(/Input 'targets'/);
  });
});

describe('phased release state machine (in-memory records, virtual clock)', () => {
  it('healthy: every batch drained, deployed, back in, judged; all targets on the new version', async () => {
    const old = await live('1.0.0');
    const result = await runPhased(config());
    expect(result.outcome).toBe('released');
    expect(versions()).toEqual(Array(6).fill('2.0.0'));
    expect(out.size).toBe(0);
    expect(events.slice(0, 4)).toEqual(['drain web-1', 'deploy web-1 2.0.0', 'ready web-1', 'drain web-2,web-3']);
    expect(statuses(result.deploymentId)).toEqual([
      'in_progress: batch 1/3: 1/6 on 2.0.0 (web-1)',
      'in_progress: batch 2/3: 3/6 on 2.0.0 (web-2,web-3)',
      'in_progress: batch 3/3: 6/6 on 2.0.0 (web-4,web-5,web-6)',
      'success: released: 2.0.0 on all 6 targets',
    ]);
    expect(statuses(old).at(-1)).toMatch(/^inactive/);
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(180_000);
    expect(inflights.at(-1)).toBeUndefined();
  });

  it('a bad version is caught in the first batch: only its targets ever ran it, and they are back on the old one', async () => {
    await live('1.0.0');
    errorRate = (v) => (v === '2.0.0' ? 0.2 : 0.001);
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(result.verdict?.check).toBe('error-rate');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(events.filter((e) => e.startsWith('deploy'))).toEqual(['deploy web-1 2.0.0', 'deploy web-1 1.0.0']);
    expect(out.size).toBe(0);
    expect(statuses(result.deploymentId).at(-1)).toMatch(
      /^failure: rolled back at batch 1\/3: 1 target\(s\) back on 1\.0\.0: error-rate/,
    );
  });

  it('a deploy failing on one target mid-batch rolls back every target changed, that one included', async () => {
    await live('1.0.0');
    failDeploy = (t, v) => t.name === 'web-3' && v === '2.0.0';
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(result.batches.at(-1)).toMatchObject({
      index: 2,
      outcome: 'failed',
      reason: expect.stringMatching(/deploy to web-3 failed: exit 1 on web-3/),
    });
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(events.filter((e) => / 1\.0\.0$/.test(e))).toEqual([
      'deploy web-3 1.0.0',
      'deploy web-2 1.0.0',
      'deploy web-1 1.0.0',
    ]);
    expect(out.size).toBe(0);
  });

  it('a target that does not answer after its deploy fails the batch (bounded by the health timeout)', async () => {
    await live('1.0.0');
    const dead = new Set(['web-2']);
    const result = await runPhased(
      config({
        healthTimeoutMs: 10_000,
        probe: async (t) => (dead.has(t.name) && running[t.name] === '2.0.0' ? 'connection refused' : undefined),
      }),
    );
    expect(result.outcome).toBe('rolled-back');
    expect(result.verdict).toMatchObject({
      check: 'health',
      reason: expect.stringMatching(/web-2 does not answer 10s after its deploy: connection refused/),
    });
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
  });

  it('no data for the new version is never a pass', async () => {
    await live('1.0.0');
    errorRate = (v) => (v === '2.0.0' ? undefined : 0.001);
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
  });

  it('refuses to start when the live release has no artifact to roll back to: nothing changes', async () => {
    const id = await records.create('main', { version: '1.0.0', kind: 'deploy' }, 'deploy 1.0.0');
    await records.status(id, 'success', 'deployed');
    await expect(runPhased(config())).rejects.toThrow(
      /The live release 1\.0\.0 \(deployment \d+\) records no artifact digest/,
    );
    expect(events).toEqual([]);
    expect(emulator.state.deployments).toHaveLength(1);
  });

  it('refuses an unknown target before anything changes', async () => {
    await live('1.0.0');
    delete running['web-6'];
    await expect(runPhased(config())).rejects.toThrow(/no server web-6/);
    expect(events).toEqual([]);
  });

  it('cancelled mid-batch: the run stops with what it changed saved, and the post step restores them', async () => {
    await live('1.0.0');
    const controller = new AbortController();
    clock.at(70_000, () => controller.abort());
    await expect(runPhased(config({ signal: controller.signal }))).rejects.toBeInstanceOf(Cancelled);
    const state = inflights.at(-1) as PhasedInflight;
    expect(state.changed.map((t) => t.name)).toEqual(['web-1', 'web-2', 'web-3']);
    expect(state.previous?.version).toBe('1.0.0');
    await restorePrevious(state, config());
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(out.size).toBe(0);
  });

  it('a first release (nothing live) goes out in batches', async () => {
    const result = await runPhased(config());
    expect(result.outcome).toBe('released');
    expect(result.previous).toBeUndefined();
    expect(versions()).toEqual(Array(6).fill('2.0.0'));
  });

  it('without checks each batch still waits its interval before the next', async () => {
    await live('1.0.0');
    const result = await runPhased(config({ checks: [] }));
    expect(result.outcome).toBe('released');
    expect(clock.waits.filter((w) => w === 60_000)).toHaveLength(3);
  });

  it('a re-run of the job closes the abandoned attempt and starts again; another open rollout stops it', async () => {
    await live('1.0.0');
    const left = await records.create(
      'main',
      { version: '2.0.0', kind: 'phased', run: { id: '42', attempt: 1 } },
      'phased',
    );
    await records.status(left, 'in_progress', 'batch 1/3: 1/6 on 2.0.0 (web-1)');
    const result = await runPhased(config({ run: { id: '42', attempt: 2 } }));
    expect(result.outcome).toBe('released');
    expect(statuses(left).at(-1)).toMatch(/^error: abandoned/);
    const other = await records.create('main', { version: '3.0.0', kind: 'canary' }, 'canary of 3.0.0');
    await records.status(other, 'in_progress', 'canary 25%: 3.0.0 vs 2.0.0, judging 1 check(s)');
    events = [];
    await expect(runPhased(config({ version: '2.1.0' }))).rejects.toThrow(/A canary of 3\.0\.0 is still in progress/);
    expect(events).toEqual([]);
  });

  it('start race, a rollback first: the release withdraws its record, waits for the rollback, and starts again from what it restored', async () => {
    await live('1.0.0');
    let rollback = 0;
    let once = false;
    (
      gh as unknown as {
        hook: {
          before(
            n: string,
            f: (o: { method: string; url: string; payload?: { kind?: string } }) => Promise<void>,
          ): void;
        };
      }
    ).hook.before('request', async (o) => {
      if (once || o.method !== 'POST' || !/\/deployments$/.test(o.url) || o.payload?.kind !== 'phased') return;
      once = true;
      // Both read "quiet"; the rollback (to 0.9.0) lands its record first.
      rollback = await records.create(
        'main',
        { version: '0.9.0', kind: 'rollback', artifact: artifact('0.9.0') },
        'rollback to 0.9.0',
      );
      await records.status(rollback, 'in_progress', 'deploying 0.9.0 from its original artifact');
      clock.at(20_000, () => records.status(rollback, 'success', 'rolled back from 1.0.0 to 0.9.0'));
    });
    const result = await runPhased(config({ waitTimeoutMs: 600_000 }));
    expect(result.outcome).toBe('released');
    expect(result.previous).toBe('0.9.0');
    const withdrawn = emulator.state.deployments.find((d) => d.id > rollback && d.id < result.deploymentId);
    expect(statuses(withdrawn?.id ?? 0)).toEqual([
      expect.stringMatching(/^error: lost the start race to deployment \d+ \(0\.9\.0\)/),
    ]);
    expect(events.filter((e) => e.startsWith('deploy'))).toHaveLength(6);
  });
});
