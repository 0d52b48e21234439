/**
 * The manual gate of a phased release, as promote.yml runs it: the phased action (bundle) with
 * pause: manual or first stops after a batch, settled; mode continue goes on from the record
 * (no targets, batches or artifact given); mode abort puts the previous release back, also on
 * a release that is still moving (its run stops at its next check). Real HAProxy, six
 * instances, Prometheus and the GitHub emulator, as in phased.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startLoad } from '@rollgate/testbed';
import { startFleet, type FleetStack } from '../../roads/phased/stack.js';

let stack: FleetStack;

beforeAll(async () => {
  stack = await startFleet({ '1.1.0': {}, '1.2.0': {}, '1.3.0': {} });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const descriptions = (id: number) =>
  stack.gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description);
const versions = async () => Promise.all(stack.targets.map((t) => stack.answers(t.address)));

describe('phased release: the manual gate (promote.yml: continue and abort)', () => {
  it('pauses after each batch with pause: manual, and continues from its record to the end', async () => {
    // Users all along (the judge needs traffic: no data is never a pass), through every run.
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 400_000);
    const first = await stack.phased('1.1.0', { pause: 'manual' });
    expect(first.error).toBeUndefined();
    expect(first.outputs).toMatchObject({ outcome: 'paused', 'previous-version': '1.0.0' });
    const id = Number(first.outputs['deployment-id']);
    expect(descriptions(id)).toEqual([
      'batch 1/3: 1/6 on 1.1.0 (web-1)',
      'paused after batch 1/3: 1/6 on 1.1.0, waiting for continue or abort',
    ]);
    // Paused is settled for now: the post step undid nothing.
    expect(await versions()).toEqual(['1.1.0', '1.0.0', '1.0.0', '1.0.0', '1.0.0', '1.0.0']);
    expect(first.summary).toContain('Paused at its gate after batch 1/3');
    expect(first.summary).toMatch(/\| web-2 \| 127\.0\.0\.1:\d+ \| 1\.0\.0 \|/);

    // Nothing else starts while it waits for a person.
    const other = await stack.phased('1.2.0');
    expect(other.exitCode).toBe(1);
    expect(other.error).toMatch(
      /^A phased release of 1\.1\.0 is still in progress in production \(deployment \d+: paused after batch 1\/3.*\): continue or abort it with promote\.yml \(kind: phased/,
    );
    const rollback = await stack.rollback({ 'to-version': '1.0.0' });
    expect(rollback.error).toMatch(/^A phased release of 1\.1\.0 is in progress .*kind: phased, action: abort/);

    const statuses = stack.gh.state.statuses.length;
    const dry = await stack.gate('1.1.0', 'continue', { 'dry-run': 'true' });
    expect(dry.error).toBeUndefined();
    expect(dry.outputs.outcome).toBe('dry-run');
    expect(dry.stdout).toContain(
      'would continue the phased release of 1.1.0 (deployment ' +
        `${id}) after batch 1/3 with batches 2: web-2, web-3; 3: web-4, web-5, web-6`,
    );
    expect(stack.gh.state.statuses.length).toBe(statuses);

    const second = await stack.gate('1.1.0', 'continue');
    expect(second.error).toBeUndefined();
    expect(second.outputs).toMatchObject({ outcome: 'paused', 'deployment-id': String(id) });
    expect(await versions()).toEqual(['1.1.0', '1.1.0', '1.1.0', '1.0.0', '1.0.0', '1.0.0']);

    const third = await stack.gate('1.1.0', 'continue');
    const stats = await load.stop();
    expect(third.error).toBeUndefined();
    expect(third.outputs).toMatchObject({ outcome: 'released', 'deployment-id': String(id) });
    expect(await versions()).toEqual(Array(6).fill('1.1.0'));
    expect(descriptions(id).slice(2)).toEqual([
      'continuing after batch 1/3: 1.1.0 goes on by hand',
      'batch 2/3: 3/6 on 1.1.0 (web-2,web-3)',
      'paused after batch 2/3: 3/6 on 1.1.0, waiting for continue or abort',
      'continuing after batch 2/3: 1.1.0 goes on by hand',
      'batch 3/3: 6/6 on 1.1.0 (web-4,web-5,web-6)',
      'released: 1.1.0 on all 6 targets; 6/6 report 1.1.0, 6/6 serving',
    ]);
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
    // The continued run's summary lists every batch, the earlier runs' as released.
    expect(third.summary).toMatch(/\| 1\/3 \| web-1 \| released \|/);

    const none = await stack.gate('1.1.0', 'continue');
    expect(none.exitCode).toBe(1);
    expect(none.error).toBe(
      'No phased release of 1.1.0 is in progress in production: start one with the phased action (pause: manual or first), or bring the fleet back to the live release with action: reconcile.',
    );
  }, 400_000);

  it('aborts a release paused after its first batch (pause: first): the previous release back', async () => {
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 300_000);
    const paused = await stack.phased('1.2.0', { pause: 'first' });
    expect(paused.outputs.outcome).toBe('paused');
    const id = Number(paused.outputs['deployment-id']);
    expect(await versions()).toEqual(['1.2.0', '1.1.0', '1.1.0', '1.1.0', '1.1.0', '1.1.0']);
    const abort = await stack.gate('1.2.0', 'abort');
    const stats = await load.stop();
    expect(abort.error).toBeUndefined();
    expect(abort.outputs).toMatchObject({ outcome: 'aborted', 'previous-version': '1.1.0' });
    expect(await versions()).toEqual(Array(6).fill('1.1.0'));
    expect(descriptions(id).slice(-2)).toEqual([
      'aborting after batch 1/3 by hand: putting 1.1.0 back',
      'aborted by hand after batch 1/3: 1 target(s) back on 1.1.0; 6/6 report 1.1.0, 6/6 serving',
    ]);
    expect(stack.gh.state.deployments.find((d) => d.id === id)).toBeDefined();
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
  }, 300_000);

  it('aborts a release that is moving: it takes over, and the moving run stops at its next check', async () => {
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 300_000);
    // A long interval: the abort reads the record while the moving run still judges batch 1.
    const moving = stack.phased('1.3.0', { interval: '30s' });
    // Wait until the first batch is in and judged.
    let id = 0;
    for (let i = 0; i < 600 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const s = stack.gh.state.statuses.find((x) => x.description.startsWith('batch 1/3: 1/6 on 1.3.0'));
      if (s) id = s.deploymentId;
    }
    expect(id).toBeGreaterThan(0);
    const refused = await stack.gate('1.3.0', 'continue');
    expect(refused.error).toMatch(
      /is not paused at its gate by a run of the suite \(batch 1\/3: .*\): it is moving now, or its runner was lost/,
    );
    const abort = await stack.gate('1.3.0', 'abort');
    expect(abort.error).toBeUndefined();
    expect(abort.outputs.outcome).toBe('aborted');
    const r = await moving;
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Phased release of 1\.3\.0 was aborted by hand while this run moved it/);
    // Every planned target not proven on 1.1.0 got it back (web-1 at least), whatever the moving run was doing.
    expect(abort.stdout).toContain('every planned target not running 1.1.0 gets it back');
    expect(await versions()).toEqual(Array(6).fill('1.1.0'));
    expect(descriptions(id).at(-1)).toMatch(
      /^aborted by hand after batch \d\/3: [1-3] target\(s\) back on 1\.1\.0; 6\/6 report 1\.1\.0, 6\/6 serving$/,
    );
    expect(descriptions(id).some((d) => d.startsWith('batch 2/3'))).toBe(false);
    const stats = await load.stop();
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
  }, 300_000);
});

describe('phased release in an environment chain', () => {
  it('refuses to start when the previous environment has nothing live, before any record, drain or deploy', async () => {
    const before = stack.gh.state.deployments.length;
    const served = await versions();
    // No artifact given: in a chain it comes from the previous environment's record.
    const r = await stack.phased('1.3.0', {
      'from-environment': 'ph-staging',
      soak: '0s',
      'artifact-name': '',
      'artifact-digest': '',
      'release-tag': '',
    });
    expect(r.error).toBe(
      'Promotion refused (rule: live in ph-staging first): no trusted record in ph-staging is live, so 1.3.0 cannot be promoted from it.',
    );
    expect(stack.gh.state.deployments.length).toBe(before);
    expect(await versions()).toEqual(served);
  });
});
