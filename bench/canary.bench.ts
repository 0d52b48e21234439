/**
 * npm run bench:canary — the 20%-error canary over real nginx and Prometheus, then the same
 * over HAProxy (weights over its admin socket, no reload): requests sent, failed and retried
 * (the load's client retries a request once when a reload closed its idle keep-alive
 * connection, as browsers do), and seconds from the canary start to all traffic back on stable.
 * Goals for both: under 1% of all requests fail; the abort comes within 2 intervals; over
 * HAProxy, no request is retried. BENCH_TRAFFIC=nginx or haproxy runs one of them.
 */
import { HaproxyProvider } from '@rollgate/traffic';
import { startHaproxy, startLoad } from '@rollgate/testbed';
import { STABLE, startStack } from '../roads/canary/stack.js';

const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 10);
const RPS = Number(process.env.BENCH_RPS ?? 100);
const only = process.env.BENCH_TRAFFIC;

const stack = await startStack({ '1.2.0': { errorRate: 0.2 } });
const haproxy = await startHaproxy(stack.services[STABLE]?.address as string);
const slots = new HaproxyProvider({
  socket: haproxy.socket,
  backend: 'app',
  stableServer: 'stable',
  canaryServer: 'canary',
});
const canaryAddress = stack.services['1.2.0']?.address as string;

/** Whether the canary takes traffic now, as the traffic layer itself says. */
const canaryTakesTraffic: Record<string, () => Promise<boolean>> = {
  nginx: async () => stack.upstream().includes('# canary 1.2.0'),
  haproxy: async () => {
    const c = (await slots.state()).canary;
    return c !== undefined && c.address === canaryAddress && c.weight > 0;
  },
};

async function run(traffic: 'nginx' | 'haproxy') {
  await stack.seed(`bench-${traffic}`, STABLE);
  const front = traffic === 'nginx' ? stack.nginx.address : haproxy.address;
  const load = startLoad(`http://${front}/`, RPS, 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const started = Date.now();
  let canaryOn: number | undefined;
  let backOnStable: number | undefined;
  let polling = true;
  const watch = (async () => {
    while (polling) {
      const on = await canaryTakesTraffic[traffic]!().catch(() => false);
      if (on) canaryOn ??= Date.now();
      else if (canaryOn && !backOnStable) backOnStable = Date.now();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const r = await stack.canary({
    version: '1.2.0',
    environment: `bench-${traffic}`,
    steps: '5,25,50,100',
    interval: `${INTERVAL_S}s`,
    samples: '5',
    ...(traffic === 'haproxy' ? { 'traffic-provider': 'haproxy', 'haproxy-socket': haproxy.socket } : {}),
  });
  await new Promise((res) => setTimeout(res, 3000));
  polling = false;
  await watch;
  const stats = await load.stop();
  const abortSeconds = ((backOnStable ?? Date.now()) - started) / 1000;
  const result = {
    bench: `canary with 20% errors over ${traffic}`,
    outcome: r.outputs.outcome,
    reason: r.outputs.reason,
    canaryEverTookTraffic: canaryOn !== undefined,
    requestsSent: stats.sent,
    requestsFailed: stats.failed,
    retriedAfterReload: stats.retried,
    failedShare: Number((stats.failed / stats.sent).toFixed(4)),
    secondsToStable: Number(abortSeconds.toFixed(2)),
    intervalSeconds: INTERVAL_S,
    intervalsToAbort: Number((abortSeconds / INTERVAL_S).toFixed(2)),
    goals: { failedShare: '< 0.01', intervalsToAbort: '<= 2', ...(traffic === 'haproxy' ? { retried: 0 } : {}) },
  };
  console.log(JSON.stringify(result));
  const ok =
    r.outputs.outcome === 'aborted' &&
    result.canaryEverTookTraffic &&
    result.failedShare < 0.01 &&
    result.intervalsToAbort <= 2 &&
    (traffic === 'nginx' || stats.retried === 0);
  console.log(
    `canary bench over ${traffic}: ${(result.failedShare * 100).toFixed(2)}% of requests failed, ${stats.retried} retried, back on stable after ${result.intervalsToAbort} intervals: ${ok ? 'met' : 'NOT met'}`,
  );
  return ok;
}

try {
  let ok = true;
  for (const traffic of ['nginx', 'haproxy'] as const) if (!only || only === traffic) ok = (await run(traffic)) && ok;
  process.exitCode = ok ? 0 : 1;
} finally {
  await haproxy.stop();
  await stack.stop();
}
