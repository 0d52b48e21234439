/**
 * A fleet's faults in the phased release's state machine (the ports of phased-harness.ts, a
 * virtual clock): every run ends with the fleet on one version, in rotation, and a record that
 * says so, read back from the fleet's facts, never from what the run believes. The same faults
 * run end to end over a real HAProxy and the sample service in test/phased/faults.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { runPhased } from '../src/index.js';
import { config, down, events, knobs, live, out, running, statuses, versions } from './phased-harness.js';

describe('phased release: a fleet that fails under it', () => {
  it('an instance of a released batch that dies is caught while the next batch is judged: every changed target back on the old release', async () => {
    await live('1.0.0');
    knobs.afterDeploy = (t, v) => {
      // web-1 (batch 1) dies once batch 2 is deployed.
      if (t.name === 'web-3' && v === '2.0.0') down.add('web-1');
    };
    const result = await runPhased(config());
    expect(result.outcome).toBe('rolled-back');
    expect(result.verdict).toMatchObject({
      check: 'health',
      reason: expect.stringMatching(/^web-1, already released, stopped answering/),
    });
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(down.size).toBe(0);
    expect(out.size).toBe(0);
    expect(statuses(result.deploymentId).at(-1)).toMatch(
      /^failure: rolled back at batch 2\/3: 3 target\(s\) back on 1\.0\.0 \(3\/3 report 1\.0\.0, 3\/3 serving\)/,
    );
    expect(result.fleet?.consistent).toBe(true);
  });

  it('a load balancer that lost its drains while a batch deployed gets them again before the batch is waited for', async () => {
    await live('1.0.0');
    knobs.afterDeploy = (t, v) => {
      // A restart without its runtime state: every server back in rotation, web-2's drain lost.
      if (t.name === 'web-2' && v === '2.0.0') out.clear();
    };
    const seen: string[] = [];
    const result = await runPhased(config({ logger: { ...config().logger, warning: (l) => void seen.push(l) } }));
    expect(result.outcome).toBe('released');
    expect(seen).toContain('web-2 drained again');
    // web-3 (same batch, not deployed yet when the drains were lost) was out again before its deploy finished.
    expect(events.indexOf('deploy web-3 2.0.0')).toBeGreaterThan(events.indexOf('deploy web-2 2.0.0'));
    expect(versions()).toEqual(Array(6).fill('2.0.0'));
    expect(out.size).toBe(0);
  });

  it('reconcile brings a fleet left split (no release in progress) back to the live release, and the record says so', async () => {
    const liveId = await live('1.0.0');
    // A release whose roll back failed midway: two targets on 2.0.0, one of them drained; its record an error.
    running['web-1'] = '2.0.0';
    running['web-2'] = '2.0.0';
    out.add('web-2');
    const result = await runPhased(config({ mode: 'reconcile' }));
    expect(result.outcome).toBe('reconciled');
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
    expect(out.size).toBe(0);
    expect(events.filter((e) => e.startsWith('deploy'))).toEqual(['deploy web-1 1.0.0', 'deploy web-2 1.0.0']);
    expect(statuses(liveId).at(-1)).toBe('success: reconciled: the fleet back on 1.0.0; 6/6 report 1.0.0, 6/6 serving');
  });

  it('a released target that goes back to another version behind the release is caught before success: never "released on all"', async () => {
    await live('1.0.0');
    knobs.afterDeploy = (t, v) => {
      // Once the last batch is deployed, web-1 runs 1.0.0 again (a config tool, a person).
      if (t.name === 'web-6' && v === '2.0.0') running['web-1'] = '1.0.0';
    };
    const result = await runPhased(config({ checks: [] }));
    expect(result.outcome).toBe('rolled-back');
    expect(result.verdict?.reason).toBe('web-1, already released, reports 1.0.0, not 2.0.0');
    expect(statuses(result.deploymentId).some((s) => s.startsWith('success'))).toBe(false);
    expect(versions()).toEqual(Array(6).fill('1.0.0'));
  });
});
