/**
 * The phased release's state machine, every transition in milliseconds: the real rollout code,
 * records and judge against the GitHub emulator in-process with a virtual clock (the ports in
 * phased-harness.ts). test/phased/ runs the same over a real HAProxy and six instances.
 */
import { describe, expect, it } from '@jest/globals';
import { Cancelled, InputError } from '@rollgate/kit';
import {
  parseTargets,
  phasedDryRun,
  planBatches,
  restorePrevious,
  runPhased,
  type PhasedInflight,
} from '../src/index.js';
import {
  artifact,
  clock,
  config,
  emulator,
  events,
  gh,
  inflights,
  knobs,
  live,
  out,
  records,
  running,
  statuses,
  targets,
  versions,
} from './phased-harness.js';

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

  it('follows zones: one zone at a time in the order the targets name them, a first target inside the first zone', () => {
    const zoned = parseTargets(
      [
        'a1=10.0.0.1:80 zone=eu-1',
        'b1=10.0.0.2:80 zone=us-1',
        'a2=10.0.0.3:80 zone=eu-1',
        'b2=10.0.0.4:80 zone=us-1',
        'c1=10.0.0.5:80 zone=ap-1',
      ].join('\n'),
    );
    expect(zoned[0]).toEqual({ name: 'a1', address: '10.0.0.1:80', zone: 'eu-1' });
    const names = (spec: string) => planBatches(spec, zoned, '0').map((b) => b.map((t) => t.name));
    expect(names('zones')).toEqual([['a1', 'a2'], ['b1', 'b2'], ['c1']]);
    expect(names('1,zones')).toEqual([['a1'], ['a2'], ['b1', 'b2'], ['c1']]);
    expect(parseTargets('[{"name":"a","address":"10.0.0.1:80","zone":"z1"}]')).toEqual([
      { name: 'a', address: '10.0.0.1:80', zone: 'z1' },
    ]);
    // A leading batch that would spill into the second zone, a target without a zone, a bad zone name.
    expect(err(() => planBatches('2,zones', zoned, '0'))).toMatch(
      /Input 'batches'.*inside the first zone \(eu-1: 2 targets\)/,
    );
    expect(err(() => planBatches('zones', targets, '0'))).toMatch(
      /Input 'targets'.*zone=<zone> for every target.*web-1/,
    );
    expect(err(() => parseTargets('a=10.0.0.1:80 zone=e u'))).toMatch(/Input 'targets'/);
    expect(err(() => parseTargets('a=10.0.0.1:80 zone=e/u'))).toMatch(/a zone of letters.*for a/);
    // min-healthy still holds per zone: the two-target zone leaves 3 of 5.
    expect(err(() => planBatches('zones', zoned, '4'))).toMatch(/Input 'min-healthy'.*batch 1 takes 2 of the 5/);
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
      'success: released: 2.0.0 on all 6 targets; 6/6 report 2.0.0, 6/6 serving',
    ]);
    expect(statuses(old).at(-1)).toMatch(/^inactive/);
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(180_000);
    expect(inflights.at(-1)).toBeUndefined();
  });

  it('a bad version is caught in the first batch: only its targets ever ran it, and they are back on the old one', async () => {
    await live('1.0.0');
    knobs.errorRate = (v) => (v === '2.0.0' ? 0.2 : 0.001);
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(result.verdict?.check).toBe('error-rate');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(events.filter((e) => e.startsWith('deploy'))).toEqual(['deploy web-1 2.0.0', 'deploy web-1 1.0.0']);
    expect(out.size).toBe(0);
    expect(statuses(result.deploymentId).at(-1)).toMatch(
      /^failure: rolled back at batch 1\/3: 1 target\(s\) back on 1\.0\.0 \(1\/1 report 1\.0\.0, 1\/1 serving\): error-rate/,
    );
  });

  it('a deploy failing on one target mid-batch rolls back every target changed; the one still on the old version is only put back', async () => {
    await live('1.0.0');
    knobs.failDeploy = (t, v) => t.name === 'web-3' && v === '2.0.0';
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(result.batches.at(-1)).toMatchObject({
      index: 2,
      outcome: 'failed',
      reason: expect.stringMatching(/deploy to web-3 failed: exit 1 on web-3/),
    });
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    // web-3's deploy failed before it changed anything: it reports 1.0.0, so it only goes back in rotation.
    expect(events.filter((e) => / 1\.0\.0$/.test(e))).toEqual(['deploy web-2 1.0.0', 'deploy web-1 1.0.0']);
    expect(events).toContain('ready web-3');
    expect(out.size).toBe(0);
  });

  it('a target that does not answer after its deploy fails the batch (bounded by the health timeout)', async () => {
    await live('1.0.0');
    const dead = new Set(['web-2']);
    const result = await runPhased(
      config({
        healthTimeoutMs: 10_000,
        probe: async (t) =>
          dead.has(t.name) && running[t.name] === '2.0.0'
            ? { why: 'connection refused' }
            : { version: running[t.name] as string },
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
    knobs.errorRate = (v) => (v === '2.0.0' ? undefined : 0.001);
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    // The verdict names the new version, never "canary".
    expect(result.verdict?.reason).toMatch(/^error-rate: (no data for|the last reading of) the new version/);
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
  });

  it('refuses to start when the live release has no artifact to roll back to: nothing changes', async () => {
    const id = await records.create(
      'main',
      { version: '1.0.0', kind: 'deploy' },
      'deploy 1.0.0',
      await records.state(),
    );
    await records.status(id, 'success', 'deployed');
    await expect(runPhased(config())).rejects.toThrow(
      /The live release 1\.0\.0 \(deployment \d+\) records no artifact digest/,
    );
    expect(events).toEqual([]);
    expect(emulator.state.deployments).toHaveLength(1);
    // Its dry run refuses the same way (the same decision, rollbackTarget), not "would release".
    await expect(phasedDryRun(config())).rejects.toThrow(/records no artifact digest/);
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
    // Each batch bakes its whole interval (in samples, its changed targets watched at each).
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('a re-run of the job closes the abandoned attempt and starts again; another open rollout stops it', async () => {
    await live('1.0.0');
    const left = await records.create(
      'main',
      { version: '2.0.0', kind: 'phased', run: { id: '42', attempt: 1 } },
      'phased',
      await records.state(),
    );
    await records.status(left, 'in_progress', 'batch 1/3: 1/6 on 2.0.0 (web-1)');
    const result = await runPhased(config({ run: { id: '42', attempt: 2 } }));
    expect(result.outcome).toBe('released');
    expect(statuses(left).at(-1)).toMatch(/^error: abandoned/);
    const other = await records.create(
      'main',
      { version: '3.0.0', kind: 'canary' },
      'canary of 3.0.0',
      await records.state(),
    );
    await records.status(other, 'in_progress', 'canary 25%: 3.0.0 vs 2.0.0, judging 1 check(s)');
    events.length = 0;
    await expect(runPhased(config({ version: '2.1.0' }))).rejects.toThrow(/A canary of 3\.0\.0 is still in progress/);
    expect(events).toEqual([]);
  });

  it('start race, a rollback first that restores another release: the release waits with its one record, then withdraws it', async () => {
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
        await records.state(),
      );
      await records.status(rollback, 'in_progress', 'deploying 0.9.0 from its original artifact');
      clock.at(20_000, () => records.status(rollback, 'success', 'rolled back from 1.0.0 to 0.9.0'));
    });
    await expect(runPhased(config({ waitTimeoutMs: 600_000 }))).rejects.toThrow(
      /waited for the rollback to 0\.9\.0 .* 0\.9\.0 is live now, not the release it recorded to go back to \(1\.0\.0\): it withdrew its record/,
    );
    const mine = emulator.state.deployments.filter(
      (d) => (d.payload as { kind?: string }).kind === 'phased' && d.id > rollback,
    );
    expect(mine).toHaveLength(1);
    expect(statuses(mine[0]?.id ?? 0)).toEqual([
      expect.stringMatching(/^queued: waiting for the rollback to 0\.9\.0/),
      expect.stringMatching(/^error: withdrawn before changing anything/),
    ]);
    expect(events).toEqual([]);
  });
});
