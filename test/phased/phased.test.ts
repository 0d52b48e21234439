/**
 * The phased-release action as the runner starts it (the bundle, Node 24), over a real HAProxy
 * 2.6 with six instances of the sample service, a real Prometheus, the GitHub emulator and the
 * sample deploy command (examples/deploy/deploy.mjs, in place on each target's address): each
 * release is a GitHub release asset, fetched and digest-checked before any deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runAction, startLoad } from '@rollgate/testbed';
import { startFleet, type FleetStack } from '../../roads/phased/stack.js';
import { mermaidBlocks, parseMermaid } from '../lib/mermaid.js';

let stack: FleetStack;

beforeAll(async () => {
  stack = await startFleet({ '1.1.0': {}, '1.2.0': { errorRate: 0.2 }, '1.3.0': {} });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('phased release action (bundle, HAProxy, six instances, Prometheus)', () => {
  it('releases a healthy version in three batches with no failed and no retried request', async () => {
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 200_000);
    const r = await stack.phased('1.1.0');
    const stats = await load.stop();
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'released', 'previous-version': '1.0.0' });
    for (const t of stack.targets) expect(await stack.answers(t.address)).toBe('1.1.0');
    const id = Number(r.outputs['deployment-id']);
    expect(stack.gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description)).toEqual([
      'batch 1/3: 1/6 on 1.1.0 (web-1)',
      'batch 2/3: 3/6 on 1.1.0 (web-2,web-3)',
      'batch 3/3: 6/6 on 1.1.0 (web-4,web-5,web-6)',
      'released: 1.1.0 on all 6 targets; 6/6 report 1.1.0, 6/6 serving',
    ]);
    expect(stats.sent).toBeGreaterThan(300);
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
    expect(r.summary).toContain('Phased release of 1.1.0: released');
    // The pictures: the batches, then the error rate per batch against its threshold; Mermaid parses them.
    const charts = mermaidBlocks(r.summary);
    expect(charts[0]).toContain('b3["batch 3: released - web-4 web-5 web-6"]:::ok');
    expect(charts[1]).toMatch(/x-axis \["batch 1", "batch 2", "batch 3"\]/);
    expect(parseMermaid(charts)).toEqual([{ type: 'flowchart-v2' }, { type: 'xychart' }]);
  }, 240_000);

  it('catches a bad version (20% errors) in the first batch and puts the previous release back', async () => {
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 200_000);
    const r = await stack.phased('1.2.0');
    const stats = await load.stop();
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^Phased release of 1\.2\.0 rolled back: error-rate [\d.]+ > max 0\.05\. Every changed target is back on 1\.1\.0\.$/,
    );
    expect(r.outputs).toMatchObject({ outcome: 'rolled-back', 'previous-version': '1.1.0' });
    for (const t of stack.targets) expect(await stack.answers(t.address)).toBe('1.1.0');
    const id = Number(r.outputs['deployment-id']);
    const descriptions = stack.gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description);
    expect(descriptions[0]).toBe('batch 1/3: 1/6 on 1.2.0 (web-1)');
    expect(descriptions.at(-1)).toMatch(
      /^rolled back at batch 1\/3: 1 target\(s\) back on 1\.1\.0 \(1\/1 report 1\.1\.0, 1\/1 serving\): error-rate/,
    );
    // Only the first batch's target ever served 1.2.0; every failure a client saw came from it.
    const q = encodeURIComponent('count by (instance) (max_over_time(http_requests_total{version="1.2.0"}[5m]))');
    const served = (await (await fetch(`${stack.prometheus.url}/api/v1/query?query=${q}`)).json()) as {
      data: { result: { metric: { instance: string } }[] };
    };
    expect(served.data.result.map((x) => x.metric.instance)).toEqual([stack.targets[0]?.address]);
    expect(stats.failed / stats.sent).toBeLessThan(0.05);
    expect(stats.retried).toBe(0);
    const charts = mermaidBlocks(r.summary);
    expect(charts[0]).toContain('b1["batch 1: failed - web-1"]:::bad');
    expect(charts[0]).toContain('b2["batch 2: not run"]:::idle');
    expect(parseMermaid(charts).every((c) => c.type !== undefined)).toBe(true);
  }, 240_000);

  it('rolls the fleet back to an earlier release, target by target, with no failed request (rollback after a phased release)', async () => {
    // Live now: 1.1.0 on all six (the healthy release above; 1.2.0 was rolled back by the release itself).
    const live = stack.gh.state.deployments.length;
    // Without the fleet, a rollback would redeploy one address and leave five targets on 1.1.0: refused.
    const refused = await stack.rollback({ 'to-version': '1.0.0' }, false);
    expect(refused.exitCode).toBe(1);
    expect(refused.error).toMatch(
      /^1\.1\.0 \(deployment \d+\) went out across a fleet \(a phased release\): give targets and haproxy-socket/,
    );
    expect(stack.gh.state.deployments.length).toBe(live);
    for (const t of stack.targets) expect(await stack.answers(t.address)).toBe('1.1.0');

    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 200_000);
    const r = await stack.rollback({ 'to-version': '1.0.0' });
    const stats = await load.stop();
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: '1.0.0', 'replaced-version': '1.1.0' });
    for (const t of stack.targets) expect(await stack.answers(t.address)).toBe('1.0.0');
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
    const record = stack.gh.state.deployments.find((d) => d.id === Number(r.outputs['deployment-id']));
    expect(record?.payload).toMatchObject({ version: '1.0.0', kind: 'rollback', fleet: true });
    // One target out of the load balancer at a time: each is drained, redeployed and back before the next.
    expect(r.stdout.match(/web-\d is back on 1\.0\.0\./g)).toHaveLength(6);
    // The fleet rollback's own record is a fleet release too: a later rollback without targets is refused.
    const again = await stack.rollback({ 'to-version': '1.1.0', 'dry-run': 'true' }, false);
    expect(again.error).toMatch(/went out across a fleet/);
  }, 240_000);

  it('follows zones: one target first, then the rest of its zone, then the next zone', async () => {
    // Live now: 1.0.0 (the fleet rollback above). Zones alternate: a holds web-1,3,5 and b web-2,4,6.
    const zoned = stack.targets.map((t, i) => `${t.name}=${t.address} zone=${i % 2 ? 'b' : 'a'}`).join('\n');
    const load = startLoad(`http://${stack.haproxy.address}/`, 60, 200_000);
    const r = await stack.phased('1.3.0', { targets: zoned, batches: '1,zones' });
    const stats = await load.stop();
    expect(r.error).toBeUndefined();
    expect(stats.failures).toEqual([]);
    for (const t of stack.targets) expect(await stack.answers(t.address)).toBe('1.3.0');
    const id = Number(r.outputs['deployment-id']);
    expect(stack.gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description)).toEqual([
      'batch 1/3: 1/6 on 1.3.0 (web-1)',
      'batch 2/3: 3/6 on 1.3.0 (web-3,web-5)',
      'batch 3/3: 6/6 on 1.3.0 (web-2,web-4,web-6)',
      'released: 1.3.0 on all 6 targets; 6/6 report 1.3.0, 6/6 serving',
    ]);
    const plan = stack.gh.state.deployments.find((d) => d.id === id)?.payload as { phased: { batches: unknown[][] } };
    expect(plan.phased.batches[2]).toContainEqual({ name: 'web-2', address: stack.targets[1]?.address, zone: 'b' });
  }, 240_000);

  it('refuses bad input with one line before anything changes', async () => {
    const runId = stack.startRun();
    const before = stack.gh.state.deployments.length;
    const r = await runAction({
      action: 'phased',
      repository: stack.gh.repository,
      sha: stack.sha,
      apiUrl: stack.gh.url,
      token: 'ghs_phased',
      runId,
      inputs: {
        version: '1.3.0',
        environment: 'production',
        targets: 'web-1=127.0.0.1:1\nweb-1=127.0.0.1:2',
        'deploy-command': 'true',
        'haproxy-socket': stack.haproxy.socket,
        'artifact-name': 'x',
        'artifact-digest': `sha256:${'0'.repeat(64)}`,
      },
    });
    stack.gh.finishRun(runId);
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Input 'targets': expected each target once, but web-1 is listed twice/);
    expect(stack.gh.state.deployments.length).toBe(before);
  });
});
