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
 * - at scale: 60 targets behind two HAProxy instances (every drain and ready applied to both and
 *   read back from both), four batches (1, 25%, 50%, 100%) deployed up to 30 at once: goal 0
 *   failed requests, and the release within 1.2x of batches x (interval + slowest deploy), the
 *   slowest deploy measured when the fleet started (the anchor of that goal).
 */
import { startLoad, type LoadStats } from '@rollgate/testbed';
import { startFleet } from '../roads/phased/stack.js';

const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 10);
const RPS = Number(process.env.BENCH_RPS ?? 100);
/** BENCH_ONLY=scale runs the 60-target case alone. */
const ONLY = process.env.BENCH_ONLY ?? '';
const stack = ONLY === 'scale' ? undefined : await startFleet({ '1.1.0': {}, '1.2.0': { errorRate: 0.2 } });
const share = (s: LoadStats) => Number((s.failed / Math.max(1, s.sent)).toFixed(4));

if (stack)
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

const scaleOk = await atScale();
console.log(`phased bench at scale: ${scaleOk ? 'met' : 'NOT met'}`);
if (!scaleOk) process.exitCode = 1;

/** 60 targets behind two HAProxy instances: time against the sum of intervals and slowest deploys, no failed request. */
async function atScale(): Promise<boolean> {
  const TARGETS = 60;
  const fleet = await startFleet({ '1.1.0': {} }, TARGETS, 2);
  try {
    const slowest = Math.max(...fleet.deployTimes);
    const loads = fleet.balancers.map((b) => startLoad(`http://${b.address}/`, RPS / 2, 900_000));
    const started = Date.now();
    const r = await fleet.phased('1.1.0', {
      interval: `${INTERVAL_S}s`,
      samples: '5',
      batches: '1,25%,50%,100%',
      'min-healthy': '50%',
      'max-parallel': '30',
    });
    const seconds = (Date.now() - started) / 1000;
    // BENCH_DEBUG=1: where each batch's time went (the action's debug lines).
    if (process.env.BENCH_DEBUG) for (const line of r.debug.filter((l) => l.startsWith('batch '))) console.log(line);
    const stats = await Promise.all(loads.map((l) => l.stop()));
    const failed = stats.reduce((a, s) => a + s.failed, 0);
    const retried = stats.reduce((a, s) => a + s.retried, 0);
    const sent = stats.reduce((a, s) => a + s.sent, 0);
    // The anchor: each batch's interval plus its slowest deploy as this run measured it (the
    // deploys of a batch run at once, sharing the machine), else the slowest deploy at start.
    const perBatch = batchDeploySeconds(r.stdout, fleet.targets.length);
    const goal =
      perBatch.length === 4 ? perBatch.reduce((a, d) => a + INTERVAL_S + d, 0) : 4 * (INTERVAL_S + slowest / 1000);
    const onNew = (await Promise.all(fleet.targets.map((t) => fleet.answers(t.address)))).every((v) => v === '1.1.0');
    const ok = r.outputs.outcome === 'released' && onNew && failed === 0 && retried === 0 && seconds <= 1.2 * goal;
    console.log(
      JSON.stringify({
        bench: `phased release at scale, ${TARGETS} targets behind 2 HAProxy instances, 4 batches, 30 deploys at once`,
        rps: RPS,
        sent,
        failed,
        retried,
        outcome: r.outputs.outcome,
        allOnNewVersion: onNew,
        seconds: Number(seconds.toFixed(1)),
        slowestDeploySeconds: slowest / 1000,
        slowestDeployPerBatch: perBatch,
        anchorSeconds: Number(goal.toFixed(1)),
        ratio: Number((seconds / goal).toFixed(2)),
        targets: { ratio: '<= 1.2', failed: 0, retried: 0 },
        met: ok,
      }),
    );
    return ok;
  } finally {
    await fleet.stop();
  }
}

/** The slowest deploy of each batch (1, 25%, 50%, 100% of `count`), from the action's "Deployed <v> to web-N in Xs." lines. */
function batchDeploySeconds(stdout: string, count: number): number[] {
  const took = new Map<number, number>();
  for (const m of stdout.matchAll(/Deployed \S+ to web-(\d+) in ([\d.]+)s\./g)) took.set(Number(m[1]), Number(m[2]));
  const ends = [1, Math.ceil(count / 4), Math.ceil(count / 2), count];
  return ends.map((end, i) => {
    const start = i === 0 ? 1 : (ends[i - 1] as number) + 1;
    const batch = Array.from({ length: end - start + 1 }, (_, k) => took.get(start + k) ?? 0);
    return Math.max(...batch);
  });
}
