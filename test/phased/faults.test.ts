/**
 * A real fleet's faults under the phased release and the rollback, through the bundles as the
 * runner starts them: six instances of the sample service behind a real HAProxy, Prometheus,
 * the GitHub emulator. Each fault ends with the fleet on one version, every target in rotation
 * on HAProxy, and the record saying so (read back from the fleet, never assumed): an instance
 * that dies after its batch, a deploy that hangs, HAProxy restarted mid-batch, the admin socket
 * gone for three seconds, a fleet rollback whose health check fails on one target, the runner
 * SIGKILLed mid-batch; and a status anyone with deployments: write can post (a forged pause, a
 * forged abort), which must not steer what an abort restores or stop a moving release.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { HaproxyFleet } from '@rollgate/traffic';
import { startLoad } from '@rollgate/testbed';
import { startFleet, type FleetStack } from '../../roads/phased/stack.js';

let stack: FleetStack;
/** Users: steady load through HAProxy, so every batch has metrics to be judged on. */
let load: ReturnType<typeof startLoad>;
beforeAll(async () => {
  stack = await startFleet(
    Object.fromEntries(['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0'].map((v) => [v, {}])),
  );
  load = startLoad(`http://${stack.haproxy.address}/`, 40, 1_800_000);
}, 120_000);
afterAll(async () => {
  await load?.stop();
  const violations = stack.gh.violations.splice(0);
  await stack.stop();
  expect(violations).toEqual([]);
});

const statuses = (id: number) => stack.gh.state.statuses.filter((s) => s.deploymentId === id).map((s) => s.description);
const seen = (prefix: string) => stack.gh.state.statuses.some((s) => s.description.startsWith(prefix));
const until = async (what: string, test: () => boolean, ms = 60_000) => {
  for (const end = Date.now() + ms; !test();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
};

/** Every target answers `version` and is in rotation on HAProxy. */
async function expectFleetOn(version: string): Promise<void> {
  const versions = await Promise.all(stack.targets.map((t) => stack.answers(t.address).catch(() => 'down')));
  expect(versions).toEqual(Array(6).fill(version));
  const held = await new HaproxyFleet({ sockets: [stack.haproxy.socket], backend: 'app' }).inspect(stack.targets);
  expect(held.filter((h) => !h.inRotation).map((h) => `${h.name}: ${h.detail}`)).toEqual([]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a fleet that fails under a phased release (bundle, HAProxy, six instances)', () => {
  it('an instance of a released batch that dies is caught while the release goes on: rolled back, the record true', async () => {
    const web1 = stack.targets[0]?.address as string;
    const release = stack.phased('1.1.0', { interval: '6s' });
    await until('batch 2 of 1.1.0', () => seen('batch 2/3: 3/6 on 1.1.0'));
    process.kill(stack.pid(web1), 'SIGKILL');
    const r = await release;
    expect(r.exitCode).toBe(1);
    expect(r.outputs.outcome).toBe('rolled-back');
    expect(r.error).toMatch(/web-1, already released, stopped answering/);
    await expectFleetOn('1.0.0');
    expect(statuses(Number(r.outputs['deployment-id'])).at(-1)).toMatch(
      /^rolled back at batch [23]\/3: \d target\(s\) back on 1\.0\.0 \((\d)\/\1 report 1\.0\.0, \1\/\1 serving\)/,
    );
  }, 180_000);

  it('a deploy that hangs is stopped at deploy-timeout with its process group, and the batch rolled back', async () => {
    const r = await stack.phased('1.2.0', {
      'deploy-command': stack.faultyDeploy('hang:web-2:1.2.0'),
      'deploy-timeout': '3s',
    });
    expect(r.outputs.outcome).toBe('rolled-back');
    expect(r.error).toMatch(
      /deploy to web-2 failed: Deploy to web-2 timed out: .* ran longer than 3s and was stopped with its process group/,
    );
    const hung = Number(readFileSync(join(stack.pids, 'hung.pid'), 'utf8'));
    for (let i = 0; i < 50 && alive(hung); i++) await new Promise((ok) => setTimeout(ok, 100));
    expect(alive(hung)).toBe(false);
    await expectFleetOn('1.0.0');
  }, 180_000);

  it('HAProxy restarted mid-batch lost its drains: found and put back before the batch is waited for; released, the record true', async () => {
    const release = stack.phased('1.3.0', { 'deploy-command': stack.faultyDeploy('slow:web-2:1.3.0:4000') });
    await until('batch 1 of 1.3.0', () => seen('batch 1/3: 1/6 on 1.3.0'));
    // web-2 (batch 2) is drained and deploying, slowly: HAProxy restarts without its runtime state.
    const lb = new HaproxyFleet({ sockets: [stack.haproxy.socket], backend: 'app' });
    for (let i = 0; i < 200 && !(await lb.inspect([{ name: 'web-2' }]))[0]?.drainedEverywhere; i++)
      await new Promise((ok) => setTimeout(ok, 50));
    await stack.haproxy.restart();
    const r = await release;
    expect(r.error).toBeUndefined();
    expect(r.outputs.outcome).toBe('released');
    expect(r.stdout).toMatch(/held web-2(, web-3)? in rotation \(restarted, or changed by hand\): set drain again/);
    await expectFleetOn('1.3.0');
    expect(statuses(Number(r.outputs['deployment-id'])).at(-1)).toBe(
      'released: 1.3.0 on all 6 targets; 6/6 report 1.3.0, 6/6 serving',
    );
  }, 180_000);

  it('the admin socket gone for three seconds is waited for: released', async () => {
    const release = stack.phased('1.4.0');
    await until('batch 1 of 1.4.0', () => seen('batch 1/3: 1/6 on 1.4.0'));
    renameSync(stack.haproxy.socket, `${stack.haproxy.socket}.away`);
    await new Promise((ok) => setTimeout(ok, 3000));
    renameSync(`${stack.haproxy.socket}.away`, stack.haproxy.socket);
    const r = await release;
    expect(r.error).toBeUndefined();
    expect(r.outputs.outcome).toBe('released');
    await expectFleetOn('1.4.0');
  }, 180_000);

  it('a fleet rollback whose health check fails on one target records the split as it is; run again, it finishes', async () => {
    const failed = await stack.rollback({
      'to-version': '1.3.0',
      'deploy-command': stack.faultyDeploy('broken:web-3:1.3.0'),
      'health-timeout': '5s',
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.error).toMatch(/^The rollback to 1\.3\.0 stopped: .*web-3.*The fleet is split: .*web-3/);
    const live = stack.gh.state.deployments.find(
      (d) =>
        (d.payload as { version?: string }).version === '1.4.0' && statuses(d.id).some((s) => s.startsWith('released')),
    );
    expect(statuses(live?.id ?? 0).at(-1)).toMatch(/^still live, but a rollback to 1\.3\.0 stopped midway: /);
    const again = await stack.rollback({ 'to-version': '1.3.0' });
    expect(again.error).toBeUndefined();
    await expectFleetOn('1.3.0');
  }, 240_000);

  it('the runner SIGKILLed mid-batch leaves targets drained and half-deployed; reconcile brings the fleet back and settles the record', async () => {
    const lost = await stack.phased('1.5.0', { interval: '20s' }, { lostWhen: () => seen('batch 1/3: 1/6 on 1.5.0') });
    expect(lost.lost).toBe(true);
    const r = await stack.gate('1.5.0', 'reconcile');
    expect(r.error).toBeUndefined();
    expect(r.outputs.outcome).toBe('aborted');
    await expectFleetOn('1.3.0');
    const id = stack.gh.state.deployments.find((d) => (d.payload as { version?: string }).version === '1.5.0')?.id ?? 0;
    expect(statuses(id).at(-1)).toMatch(
      /^aborted by hand after batch \d\/3: \d target\(s\) back on 1\.3\.0; 6\/6 report 1\.3\.0, 6\/6 serving$/,
    );
  }, 240_000);
});

describe('statuses anyone with deployments: write can post steer nothing (bundle, HAProxy)', () => {
  it('a forged "paused after batch 0/3" does not shrink what an abort restores: every target not on the old release gets it back', async () => {
    const paused = await stack.phased('1.6.0', { pause: 'first' });
    expect(paused.outputs.outcome).toBe('paused');
    const id = Number(paused.outputs['deployment-id']);
    await stack.api(`/deployments/${id}/statuses`, {
      state: 'in_progress',
      description: 'paused after batch 0/3: 0/6 on 1.6.0, waiting for continue or abort',
    });
    const abort = await stack.gate('1.6.0', 'abort');
    expect(abort.error).toBeUndefined();
    expect(abort.annotations).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(
          /^A status of deployment \d+ \("in_progress: paused after batch 0\/3.*was not written by a trusted run of the suite and is ignored/,
        ),
      }),
    );
    await expectFleetOn('1.3.0');
  }, 240_000);

  it('a forged "aborting" status does not stop a moving release: it is ignored, and the release finishes', async () => {
    const moving = stack.phased('1.7.0', { interval: '6s' });
    await until('batch 1 of 1.7.0', () => seen('batch 1/3: 1/6 on 1.7.0'));
    const id =
      stack.gh.state.statuses.find((s) => s.description.startsWith('batch 1/3: 1/6 on 1.7.0'))?.deploymentId ?? 0;
    await stack.api(`/deployments/${id}/statuses`, {
      state: 'in_progress',
      description: 'aborting after batch 1/3 by hand: putting 1.3.0 back',
    });
    const r = await moving;
    expect(r.error).toBeUndefined();
    expect(r.outputs.outcome).toBe('released');
    expect(r.annotations.map((a) => a.message)).toContainEqual(
      expect.stringMatching(/"in_progress: aborting after batch 1\/3.*not written by a trusted run/),
    );
    await expectFleetOn('1.7.0');
  }, 240_000);

  it('a target named at an address the backend does not hold is refused before anything changes', async () => {
    const before = stack.gh.state.deployments.length;
    const targets = stack.targets.map((t, i) => `${t.name}=${i === 0 ? '10.6.6.6:80' : t.address}`).join('\n');
    const r = await stack.phased('1.1.0', { targets });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/app\/web-1 is at 127\.0\.0\.1:\d+, not 10\.6\.6\.6:80/);
    expect(stack.gh.state.deployments.length).toBe(before);
    expect(existsSync(stack.haproxy.socket)).toBe(true);
    await expectFleetOn('1.7.0');
  }, 120_000);
});
