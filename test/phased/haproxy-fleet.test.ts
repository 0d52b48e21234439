/**
 * The HAProxy fleet (a phased release's load balancer) against a real HAProxy 2.6 on loopback
 * with three instances of the sample service, under load with no client retries counted as
 * success: a drained server gets no new request, a ready one gets its share again, and no
 * request fails while servers go out and come back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HaproxyFleet } from '@rollgate/traffic';
import { startHaproxyPool, startLoad, startService, type Haproxy, type Proc } from '@rollgate/testbed';

let services: Proc[] = [];
let haproxy: Haproxy;
let servers: { name: string; address: string }[];

beforeAll(async () => {
  services = await Promise.all(['w1', 'w2', 'w3'].map((v) => startService(v)));
  servers = services.map((s, i) => ({ name: `web-${i + 1}`, address: s.address }));
  haproxy = await startHaproxyPool(servers);
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all(services.map((s) => s.stop()));
});

const pause = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function versions(n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = (await (await fetch(`http://${haproxy.address}/`)).json()) as { version: string };
    seen[body.version] = (seen[body.version] ?? 0) + 1;
  }
  return seen;
}

describe('HAProxy fleet (real HAProxy, admin socket)', () => {
  it('knows the pool, and names a server it does not have before anything changes', async () => {
    const fleet = new HaproxyFleet({ socket: haproxy.socket, backend: 'app' });
    await expect(fleet.check(servers)).resolves.toBeUndefined();
    await expect(fleet.check([...servers, { name: 'web-9' }])).rejects.toThrow(
      /Input 'targets': HAProxy backend app has no server web-9 \(it has web-1, web-2, web-3\)/,
    );
    await expect(new HaproxyFleet({ socket: haproxy.socket, backend: 'nope' }).check(servers)).rejects.toThrow(
      /HAProxy has no backend nope/,
    );
    await expect(
      new HaproxyFleet({ socket: '/nonexistent/admin.sock', backend: 'app' }).check(servers),
    ).rejects.toThrow(/HAProxy admin socket \/nonexistent\/admin\.sock: connect ENOENT/);
  });

  it('drains and readies servers with no failed request under load', async () => {
    const fleet = new HaproxyFleet({ socket: haproxy.socket, backend: 'app' });
    const load = startLoad(`http://${haproxy.address}/`, 60, 60_000);
    let stats;
    try {
      // Round robin shares the rest among the servers still in; the drained one gets nothing.
      // Each state held for a second under load: requests keep arriving across every change.
      await pause(1000);
      await fleet.drain([{ name: 'web-2' }]);
      expect(Object.keys(await versions(12)).sort()).toEqual(['w1', 'w3']);
      await pause(1000);
      await fleet.drain([{ name: 'web-1' }]);
      expect(await versions(6)).toEqual({ w3: 6 });
      await pause(1000);
      await fleet.ready([{ name: 'web-1' }, { name: 'web-2' }]);
      expect(Object.keys(await versions(12)).sort()).toEqual(['w1', 'w2', 'w3']);
      await pause(1000);
    } finally {
      stats = await load.stop();
    }
    expect(stats.sent).toBeGreaterThan(150);
    expect(stats.failures).toEqual([]);
    expect(stats.retried).toBe(0);
  });
});
