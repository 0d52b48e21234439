/**
 * npm run bench:phased — the phased-release action over a real HAProxy with six instances of
 * the sample service and Prometheus, under BENCH_RPS requests/s (default 100) with no client
 * retry counted as success:
 * - a healthy release in three batches: goal 0 failed requests and 0 retries;
 * - a bad version (20% errors): goal caught in the first batch, under 1% of all requests failed,
 *   only the first batch's target ever served it, every target back on the old version within
 *   2 intervals of the first batch going in.
 * The anchor is the same load on the fleet left alone for as long (its failures must be 0 too).
 * As in bench:canary, the load of the bad-version run starts 3 s before the release.
 */
import { startLoad, type LoadStats } from '@rollgate/testbed';
import { startFleet } from '../test/phased/stack.js';

const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 10);
const RPS = Number(process.env.BENCH_RPS ?? 100);
const stack = await startFleet({ '1.1.0': {}, '1.2.0': { errorRate: 0.2 } });
const share = (s: LoadStats) => Number((s.failed / Math.max(1, s.sent)).toFixed(4));

try {
  const interval = `${INTERVAL_S}s`;
  // The anchor: the same load on the fleet with nothing changing.
  const idle = startLoad(`http://${stack.haproxy.address}/`, RPS, 120_000);
  await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
  const anchor = await idle.stop();

  const healthyLoad = startLoad(`http://${stack.haproxy.address}/`, RPS, 600_000);
  const healthy = await stack.phased('1.1.0', { interval, samples: '5' });
  const h = await healthyLoad.stop();
  const healthyOk = healthy.outputs.outcome === 'released' && h.failed === 0 && h.retried === 0;
  console.log(
    JSON.stringify({
      bench: 'phased release, healthy, 6 targets in 3 batches',
      rps: RPS,
      sent: h.sent,
      failed: h.failed,
      retried: h.retried,
      outcome: healthy.outputs.outcome,
      anchorIdleFailed: anchor.failed,
      targets: { failed: 0, retried: 0 },
      met: healthyOk,
    }),
  );

  // As bench:canary measures: the load runs 3 s before the release starts.
  const badLoad = startLoad(`http://${stack.haproxy.address}/`, RPS, 600_000);
  await new Promise((r) => setTimeout(r, 3000));
  const started = Date.now();
  const bad = await stack.phased('1.2.0', { interval, samples: '5' });
  const backAt = Date.now();
  const b = await badLoad.stop();
  const q = encodeURIComponent('count by (instance) (max_over_time(http_requests_total{version="1.2.0"}[10m]))');
  const served = (await (await fetch(`${stack.prometheus.url}/api/v1/query?query=${q}`)).json()) as {
    data: { result: { metric: { instance: string } }[] };
  };
  const servedBy = served.data.result.map((x) => x.metric.instance);
  const allBack = (await Promise.all(stack.targets.map((t) => stack.answers(t.address)))).every((v) => v === '1.1.0');
  const seconds = (backAt - started) / 1000;
  const badOk =
    bad.outputs.outcome === 'rolled-back' &&
    share(b) < 0.01 &&
    servedBy.length === 1 &&
    servedBy[0] === stack.targets[0]?.address &&
    allBack &&
    seconds <= 2 * INTERVAL_S &&
    b.retried === 0;
  console.log(
    JSON.stringify({
      bench: 'phased release, 20%-error version',
      rps: RPS,
      sent: b.sent,
      failed: b.failed,
      failedShare: share(b),
      retried: b.retried,
      outcome: bad.outputs.outcome,
      servedBy,
      allBackOnOldVersion: allBack,
      secondsToRolledBack: seconds,
      intervalSeconds: INTERVAL_S,
      targets: {
        failedShare: '< 0.01',
        servedBy: 'web-1 only',
        retried: 0,
        secondsToRolledBack: `<= ${2 * INTERVAL_S}`,
      },
      met: badOk,
    }),
  );
  console.log(`phased bench: healthy ${healthyOk ? 'met' : 'NOT met'}, bad version ${badOk ? 'met' : 'NOT met'}`);
  process.exitCode = healthyOk && badOk ? 0 : 1;
} finally {
  await stack.stop();
}
