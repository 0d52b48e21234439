/**
 * The phased release's manual gate and its abort, every transition in milliseconds (the ports
 * of phased-harness.ts): pause after a batch, continue from the record, abort a paused release,
 * take over one whose runner was lost, and never act on a plan the suite did not write.
 */
import { describe, expect, it } from '@jest/globals';
import { Cancelled } from '@rollgate/kit';
import { phasedDryRun, runPhased } from '../src/index.js';
import {
  clock,
  config,
  emulator,
  events,
  knobs,
  live,
  out,
  records,
  running,
  statuses,
  versions,
} from './phased-harness.js';

const gate = (mode: 'continue' | 'abort') =>
  config({ mode, batches: undefined, intervalMs: undefined, artifact: undefined });

describe('phased release: manual gate (pause, continue, abort)', () => {
  it('pause manual: a paused status after each batch but the last; continue goes on from the record to the end', async () => {
    await live('1.0.0');
    const first = await runPhased(config({ pause: 'manual' }));
    expect(first).toMatchObject({ outcome: 'paused', onNew: ['web-1'], previous: '1.0.0' });
    expect(statuses(first.deploymentId).at(-1)).toBe(
      'in_progress: paused after batch 1/3: 1/6 on 2.0.0, waiting for continue or abort',
    );
    expect(versions()).toEqual(['2.0.0', '1.0.0', '1.0.0', '1.0.0', '1.0.0', '1.0.0']);
    expect(out.size).toBe(0);
    const second = await runPhased(gate('continue'));
    expect(second).toMatchObject({ outcome: 'paused', deploymentId: first.deploymentId });
    expect(second.onNew).toEqual(['web-1', 'web-2', 'web-3']);
    const third = await runPhased(gate('continue'));
    expect(third.outcome).toBe('released');
    expect(versions()).toEqual(Array(6).fill('2.0.0'));
    // The continued run deployed the artifact recorded when the release started, nothing else.
    expect(events.filter((e) => e.startsWith('deploy')).length).toBe(6);
    expect(statuses(first.deploymentId).at(-1)).toBe(
      'success: released: 2.0.0 on all 6 targets; 6/6 report 2.0.0, 6/6 serving',
    );
  });

  it('pause first: one pause; a bad version caught after the gate rolls back every batch, the earlier runs’ too', async () => {
    await live('1.0.0');
    expect((await runPhased(config({ pause: 'first' }))).outcome).toBe('paused');
    knobs.errorRate = (v) => (v === '2.0.0' ? 0.3 : 0.001);
    const r = await runPhased(gate('continue'));
    expect(r.outcome).toBe('rolled-back');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(statuses(r.deploymentId).at(-1)).toMatch(
      /^failure: rolled back at batch 2\/3: 3 target\(s\) back on 1\.0\.0/,
    );
  });

  it('abort of a paused release: the previous release back on the batches done, the record settled', async () => {
    await live('1.0.0');
    const paused = await runPhased(config({ pause: 'manual' }));
    await runPhased(gate('continue'));
    const r = await runPhased(gate('abort'));
    expect(r).toMatchObject({ outcome: 'aborted', previous: '1.0.0', onNew: [] });
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(out.size).toBe(0);
    expect(statuses(paused.deploymentId).slice(-2)).toEqual([
      'in_progress: aborting after batch 2/3 by hand: putting 1.0.0 back',
      'failure: aborted by hand after batch 2/3: 3 target(s) back on 1.0.0; 6/6 report 1.0.0, 6/6 serving',
    ]);
    await expect(runPhased(gate('abort'))).rejects.toThrow(/^No phased release of 2\.0\.0 is in progress/);
  });

  it('a runner lost mid-batch: continue is refused; abort takes over and restores the half-done batch too', async () => {
    await live('1.0.0');
    const controller = new AbortController();
    // Lost while batch 2 is judged, with no post step: the record stays in_progress at batch 2/3.
    clock.at(70_000, () => controller.abort());
    await expect(runPhased(config({ signal: controller.signal }))).rejects.toBeInstanceOf(Cancelled);
    expect(versions().filter((v) => v === '2.0.0').length).toBeGreaterThan(1);
    await expect(runPhased(gate('continue'))).rejects.toThrow(
      /is not paused at its gate by a run of the suite \(batch 2\/3: 3\/6 on 2\.0\.0 \(web-2,web-3\)\): it is moving now, or its runner was lost; abort it with action: abort\.$/,
    );
    expect(await phasedDryRun(gate('abort'))).toMatch(
      /would abort the phased release of 2\.0\.0 \(deployment \d+\) after batch 2\/3: 1\.0\.0 back on web-1, web-2, web-3, web-4, web-5, web-6\.$/,
    );
    const r = await runPhased(gate('abort'));
    expect(r.outcome).toBe('aborted');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(out.size).toBe(0);
  });

  it('a run moving the release stops at its next check once an abort has begun, changing nothing more', async () => {
    await live('1.0.0');
    // promote.yml's abort writes its first status while this run judges batch 1.
    let written: Promise<void> | undefined;
    clock.at(30_000, () => {
      const id = emulator.state.deployments.at(-1)?.id as number;
      written = records.status(id, 'in_progress', 'aborting after batch 1/3 by hand: putting 1.0.0 back');
    });
    const run = runPhased(config({ intervalMs: 60_000 }));
    const r = await run;
    expect(written).toBeDefined();
    expect(r.outcome).toBe('aborted');
    expect(r.verdict?.reason).toMatch(/^aborted by hand: aborting after batch 1\/3/);
    // Nothing of batch 2 was touched by the moving run.
    expect(events.filter((e) => e.includes('web-2'))).toEqual([]);
    expect(running['web-2']).toBe('1.0.0');
  });

  it('never continues a plan the suite did not write: a record whose plan names a bad address is not trusted', async () => {
    await live('1.0.0');
    const id = await records.create(
      'main',
      {
        version: '2.0.0',
        kind: 'phased',
        stable: '1.0.0',
        phased: {
          batches: [[{ name: 'web-1', address: '$(curl evil):80' }]],
          interval_ms: 60_000,
          pause: 'manual',
        },
      },
      'phased release of 2.0.0',
      await records.state(),
    );
    await records.status(id, 'in_progress', 'paused after batch 1/3: 1/6 on 2.0.0, waiting for continue or abort');
    await expect(runPhased(gate('continue'))).rejects.toThrow(/^No phased release of 2\.0\.0 is in progress/);
    expect((await records.state()).refused.map((r) => r.why)).toEqual([
      "phased.batches: web-1's address is not an IPv4 address and port (as the targets input takes)",
    ]);
    expect(events).toEqual([]);
  });

  it('early looks each scrape after a batch goes in catch a bad version before the first regular reading', async () => {
    await live('1.0.0');
    knobs.errorRate = (v) => (v === '2.0.0' ? 0.2 : 0.001);
    const r = await runPhased(config({ scrapeIntervalMs: 5000 }));
    expect(r.outcome).toBe('rolled-back');
    // Caught 5 s into batch 1, not at its first regular reading (20 s: 60 s over 3 samples).
    expect(r.readings.map((x) => x.step)).toEqual(['batch 1']);
    expect(r.endedAt - r.startedAt).toBeLessThan(20_000);
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
  });

  it('an early look that passes or has no data counts for nothing: no pass, no inconclusive', async () => {
    await live('1.0.0');
    // No data for the first 16 s of every batch (the early looks at 5, 10 and 15 s), then healthy.
    knobs.errorRate = () => {
      const t = clock.now() % 60_000;
      return t > 0 && t < 16_000 ? undefined : 0.001;
    };
    const r = await runPhased(config({ scrapeIntervalMs: 5000, inconclusiveLimit: 0 }));
    expect(r.outcome).toBe('released');
    expect(r.readings.every((x) => x.reading.kind === 'value')).toBe(true);
    expect(r.readings.filter((x) => x.step === 'batch 1')).toHaveLength(3);
  });
});
