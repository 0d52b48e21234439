/**
 * The HAProxy fleet (a phased release's load balancer) against a real HAProxy 2.6 on loopback
 * with three instances of the sample service, under load with no client retries counted as
 * success: a drained server gets no new request, a ready one gets its share again, and no
 * request fails while servers go out and come back. Two HAProxy instances in front of the same
 * servers get every change and are read back each; a restarted HAProxy's lost drains are found
 * and put back; a socket gone for a few seconds is waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HaproxyFleet } from '@rollgate/traffic';
import { renameSync } from 'node:fs';
import { startHaproxyPool, startLoad, startService, type Haproxy, type Proc } from '@rollgate/testbed';

let services: Proc[] = [];
let haproxy: Haproxy;
let second: Haproxy;
let servers: { name: string; address: string }[];

beforeAll(async () => {
  services = await Promise.all(['w1', 'w2', 'w3'].map((v) => startService(v)));
  servers = services.map((s, i) => ({ name: `web-${i + 1}`, address: s.address }));
  haproxy = await startHaproxyPool(servers);
  second = await startHaproxyPool(servers);
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await second?.stop();
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
    const fleet = new HaproxyFleet({ sockets: [haproxy.socket], backend: 'app' });
    await expect(fleet.check(servers)).resolves.toBeUndefined();
    await expect(fleet.check([...servers, { name: 'web-9' }])).rejects.toThrow(
      /HAProxy at \S+admin\.sock: backend app has no server web-9 \(it has web-1, web-2, web-3\)/,
    );
    await expect(new HaproxyFleet({ sockets: [haproxy.socket], backend: 'nope' }).check(servers)).rejects.toThrow(
      /HAProxy at \S+ has no backend nope/,
    );
    await expect(
      new HaproxyFleet({ sockets: ['/nonexistent/admin.sock'], backend: 'app', retryForMs: 500 }).check(servers),
    ).rejects.toThrow(/HAProxy admin socket \/nonexistent\/admin\.sock: connect ENOENT/);
  });

  it('drains and readies servers with no failed request under load', async () => {
    const fleet = new HaproxyFleet({ sockets: [haproxy.socket], backend: 'app' });
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

describe('HAProxy fleet faults (real HAProxy)', () => {
  it('applies every change to each HAProxy in front of the fleet and reads each back', async () => {
    const fleet = new HaproxyFleet({ sockets: [haproxy.socket, second.socket], backend: 'app' });
    await fleet.check(servers);
    await fleet.drain([{ name: 'web-3' }]);
    for (const lb of [haproxy, second]) {
      const seen = new Set<string>();
      for (let i = 0; i < 9; i++)
        seen.add(((await (await fetch(`http://${lb.address}/`)).json()) as { version: string }).version);
      expect([...seen].sort()).toEqual(['w1', 'w2']);
    }
    const states = await fleet.inspect(servers);
    expect(states.find((s) => s.name === 'web-3')).toMatchObject({ inRotation: false, drainedEverywhere: true });
    expect(states.find((s) => s.name === 'web-1')).toMatchObject({ inRotation: true });
    await fleet.ready([{ name: 'web-3' }]);
    expect((await fleet.inspect(servers)).every((s) => s.inRotation)).toBe(true);
    // A server at another address than planned is named before anything changes.
    await expect(fleet.check([{ name: 'web-1', address: '127.0.0.1:1' }])).rejects.toThrow(
      /app\/web-1 is at 127\.0\.0\.1:\d+, not 127\.0\.0\.1:1/,
    );
  });

  it('finds the drains a restarted HAProxy lost and puts them back', async () => {
    const fleet = new HaproxyFleet({ sockets: [haproxy.socket], backend: 'app' });
    await fleet.drain([{ name: 'web-2' }]);
    await haproxy.restart();
    expect((await fleet.inspect([{ name: 'web-2' }]))[0]).toMatchObject({ inRotation: true });
    const said = await fleet.enforce([{ name: 'web-2' }], [{ name: 'web-1' }]);
    expect(said).toEqual([
      expect.stringMatching(/held web-2 in rotation \(restarted, or changed by hand\): set drain again$/),
    ]);
    expect((await fleet.inspect([{ name: 'web-2' }]))[0]).toMatchObject({ inRotation: false, drainedEverywhere: true });
    await fleet.ready([{ name: 'web-2' }]);
  });

  it('waits for an admin socket gone for a few seconds, and gives up with one line when it stays gone', async () => {
    const fleet = new HaproxyFleet({ sockets: [haproxy.socket], backend: 'app', retryForMs: 15_000 });
    renameSync(haproxy.socket, `${haproxy.socket}.away`);
    setTimeout(() => renameSync(`${haproxy.socket}.away`, haproxy.socket), 3000);
    const started = Date.now();
    await fleet.drain([{ name: 'web-1' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    await fleet.ready([{ name: 'web-1' }]);
    const brief = new HaproxyFleet({ sockets: [`${haproxy.socket}.none`], backend: 'app', retryForMs: 1000 });
    await expect(brief.check(servers)).rejects.toThrow(/HAProxy admin socket \S+\.none: connect ENOENT/);
  });
});
