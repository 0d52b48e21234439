import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpSource, jsonPath } from '@rollgate/metrics';
import { REPO_ROOT, startLoad, startRouter, startService, type Proc, type Router } from '@rollgate/testbed';

// examples/router and its route command, read through the http metrics source the canary uses.
let stable: Proc;
let canary: Proc;
let router: Router;
const source = new HttpSource({ timeoutMs: 2000, retries: 1, headers: {} });
const stats = (version: string, path: string) =>
  source.read(`http://${router.address}/_router/stats/${version}?window=5s`, path);
const route = (weight: number, env: Record<string, string>) =>
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'examples', 'router', 'route.mjs'), router.routesFile, String(weight), '2.0.0', '1.0.0'],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );

beforeAll(async () => {
  stable = await startService('1.0.0');
  canary = await startService('2.0.0', { errorRate: 0.2 });
  router = await startRouter([{ address: stable.address, version: '1.0.0', weight: 100 }]);
}, 30_000);
afterAll(async () => {
  await Promise.all([stable, canary, router].map((p) => p.stop()));
});

describe('examples/router', () => {
  it('splits by weight and reports per-version error rate and p90; a version without traffic is no data', async () => {
    expect(await stats('2.0.0', '$.error_rate')).toEqual({
      kind: 'no-data',
      detail: '$.error_rate is null, not a finite number',
    });
    expect(route(50, { ROLLGATE_CANARY_ADDRESS: canary.address, ROLLGATE_STABLE_ADDRESS: stable.address })).toBe(
      'routes: 1.0.0 50%, 2.0.0 50%\n',
    );
    const load = startLoad(`http://${router.address}/`, 100, 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    const served = await load.stop();
    expect(served.byVersion['1.0.0']).toBeGreaterThan(served.sent * 0.3);
    expect(served.byVersion['2.0.0']).toBeGreaterThan(served.sent * 0.3);
    const rate = await stats('2.0.0', '$.error_rate');
    expect(rate.kind).toBe('value');
    expect((rate as { value: number }).value).toBeGreaterThan(0.1);
    expect((rate as { value: number }).value).toBeLessThan(0.3);
    expect(await stats('1.0.0', '$.error_rate')).toEqual({ kind: 'value', value: 0 });
    expect(await stats('1.0.0', '$.p90_seconds')).toMatchObject({ kind: 'value' });
    expect(served.failed).toBe(
      jsonPath(await (await fetch(`http://${router.address}/_router/stats/2.0.0?window=10s`)).json(), '$.errors'),
    );
  }, 30_000);

  it('route.mjs leaves the canary out at 0% and refuses a missing address, keeping the last routes', () => {
    route(0, { ROLLGATE_STABLE_ADDRESS: stable.address });
    expect(JSON.parse(readFileSync(router.routesFile, 'utf8'))).toEqual({
      backends: [{ address: stable.address, version: '1.0.0', weight: 100, role: 'stable' }],
    });
    expect(() => route(25, { ROLLGATE_STABLE_ADDRESS: stable.address, ROLLGATE_CANARY_ADDRESS: '' })).toThrow(
      /the canary address is needed for 25% on 2\.0\.0/,
    );
    expect(JSON.parse(readFileSync(router.routesFile, 'utf8')).backends).toHaveLength(1);
  });

  it('the http source says unreachable when the router is not there', async () => {
    expect(await source.read('http://127.0.0.1:1/_router/stats/1.0.0', '$.error_rate')).toMatchObject({
      kind: 'unreachable',
    });
  });
});
