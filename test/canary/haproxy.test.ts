/**
 * The haproxy traffic provider against a real HAProxy (Debian's 2.6) on loopback: weights
 * change over the admin socket with no reload, under load, without one failed request and
 * without client retries; the canary action rolls a version out through it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HaproxyProvider } from '@rollgate/traffic';
import {
  GitHubEmulator,
  createRemote,
  git,
  runAction,
  seedRepository,
  startHaproxy,
  startLoad,
  startService,
  type Haproxy,
  type Proc,
} from '@rollgate/testbed';

let stable: Proc;
let canary: Proc;
let next: Proc;
let haproxy: Haproxy;
beforeAll(async () => {
  [stable, canary, next] = await Promise.all([startService('1.0.0'), startService('1.1.0'), startService('1.2.0')]);
  haproxy = await startHaproxy(stable.address);
}, 30_000);
afterAll(async () => {
  await Promise.all([stable, canary, next, haproxy].map((p) => p.stop()));
});

const provider = () =>
  new HaproxyProvider({ socket: haproxy.socket, backend: 'app', stableServer: 'stable', canaryServer: 'canary' });
const serve = async (ms: number) => {
  const load = startLoad(`http://${haproxy.address}/`, 80, ms + 2000);
  await new Promise((r) => setTimeout(r, ms));
  return load.stop();
};

describe('haproxy traffic provider', () => {
  it('moves weights at run time, checked with show servers state, and no request fails or is retried', async () => {
    const p = provider();
    const load = startLoad(`http://${haproxy.address}/`, 80, 30_000);
    const steps: Record<string, { address: string; weight: number }>[] = [];
    for (const w of [0, 25, 50, 100]) {
      await p.setSplit({
        stable: { version: '1.0.0', address: stable.address },
        canary: { version: '1.1.0', address: canary.address },
        canaryWeight: w,
      });
      steps.push(await p.state());
      await new Promise((r) => setTimeout(r, 1000));
    }
    const stats = await load.stop();
    expect(steps.map((s) => [s.stable?.weight, s.canary?.weight])).toEqual([
      [100, 0],
      [75, 25],
      [50, 50],
      [0, 100],
    ]);
    expect(steps.at(-1)).toEqual({
      stable: { address: stable.address, weight: 0 },
      canary: { address: canary.address, weight: 100 },
    });
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
    // At 100% only the canary answers.
    expect(Object.keys((await serve(1000)).byVersion)).toEqual(['1.1.0']);
  }, 60_000);

  it('follows the roles to new addresses: the promoted version becomes the stable slot, the next one the canary slot', async () => {
    const p = provider();
    await p.setSplit({
      stable: { version: '1.1.0', address: canary.address },
      canary: { version: '1.2.0', address: next.address },
      canaryWeight: 25,
    });
    expect(await p.state()).toEqual({
      stable: { address: canary.address, weight: 75 },
      canary: { address: next.address, weight: 25 },
    });
    const served = (await serve(2000)).byVersion;
    expect(Object.keys(served).sort()).toEqual(['1.1.0', '1.2.0']);
    expect((served['1.2.0'] ?? 0) / ((served['1.1.0'] ?? 0) + (served['1.2.0'] ?? 0))).toBeGreaterThan(0.1);
    expect((served['1.2.0'] ?? 0) / ((served['1.1.0'] ?? 0) + (served['1.2.0'] ?? 0))).toBeLessThan(0.45);
  }, 30_000);

  it('names what HAProxy refused, and refuses bad settings before connecting', async () => {
    const bad = new HaproxyProvider({
      socket: haproxy.socket,
      backend: 'app',
      stableServer: 'stable',
      canaryServer: 'nope',
    });
    const before = await provider().state();
    await expect(
      bad.setSplit({ stable: { version: '1.0.0' }, canary: { version: '1.1.0' }, canaryWeight: 10 }),
    ).rejects.toThrow(/^HAProxy backend app has no server nope \(show servers state\)/);
    // Nothing was moved.
    expect(await provider().state()).toEqual(before);
    expect(
      () =>
        new HaproxyProvider({
          socket: 'relative/path',
          backend: 'app',
          stableServer: 'stable',
          canaryServer: 'canary',
        }),
    ).toThrow(/^Input 'haproxy-socket': expected a unix socket path/);
    expect(
      () =>
        new HaproxyProvider({
          socket: haproxy.socket,
          backend: 'app;shutdown',
          stableServer: 'stable',
          canaryServer: 'canary',
        }),
    ).toThrow(/^Input 'haproxy-backend'/);
    await expect(
      new HaproxyProvider({
        socket: '/nonexistent/admin.sock',
        backend: 'app',
        stableServer: 'stable',
        canaryServer: 'canary',
      }).setSplit({ stable: { version: 'a' }, canary: { version: 'b' }, canaryWeight: 1 }),
    ).rejects.toThrow(/^HAProxy admin socket \/nonexistent\/admin\.sock: connect ENOENT/);
  });

  it('the canary action rolls a first release out through HAProxy (recorded, traced to its run)', async () => {
    const remote = createRemote();
    const sha = git(seedRepository(remote, 'feat: service'), ['rev-parse', 'HEAD']);
    const gh = await GitHubEmulator.start({ remote });
    try {
      gh.startRun({ id: 6100, head_sha: sha });
      const r = await runAction({
        action: 'canary',
        repository: gh.repository,
        sha,
        apiUrl: gh.url,
        token: 'ghs_x',
        runId: 6100,
        inputs: {
          version: '1.2.0',
          environment: 'hx',
          'traffic-provider': 'haproxy',
          'haproxy-socket': haproxy.socket,
          'canary-address': next.address,
          steps: '100',
          'skip-analysis': 'true',
          metrics: '- name: errors\n  provider: http\n  query: http://127.0.0.1:9/stats\n  path: $.errors\n  max: 1\n',
        },
      });
      expect(r.error).toBeUndefined();
      expect(r.outputs).toMatchObject({ outcome: 'promoted', weight: '100' });
      expect((await provider().state()).canary).toEqual({ address: next.address, weight: 100 });
      expect(Object.keys((await serve(1000)).byVersion)).toEqual(['1.2.0']);
      expect(gh.violations).toEqual([]);
    } finally {
      await gh.stop();
    }
  }, 60_000);
});
