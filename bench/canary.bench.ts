/**
 * npm run bench:canary — the 20%-error canary over real nginx and Prometheus: requests sent,
 * requests failed, and seconds from the canary start to all traffic back on stable.
 * Goals: under 1% of all requests fail; the abort comes within 2 intervals.
 */
import { startLoad } from '@rollgate/testbed';
import { STABLE, startStack } from '../test/canary/stack.js';

const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 10);
const RPS = Number(process.env.BENCH_RPS ?? 100);

const stack = await startStack({ '1.2.0': { errorRate: 0.2 } });
try {
  await stack.seed('bench', STABLE);
  const load = startLoad(`http://${stack.nginx.address}/`, RPS, 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const started = Date.now();
  let canaryOn: number | undefined;
  let backOnStable: number | undefined;
  const watch = setInterval(() => {
    const up = stack.upstream();
    if (up.includes('# canary 1.2.0')) canaryOn ??= Date.now();
    else if (canaryOn && !backOnStable) backOnStable = Date.now();
  }, 20);
  const r = await stack.canary({
    version: '1.2.0',
    environment: 'bench',
    steps: '5,25,50,100',
    interval: `${INTERVAL_S}s`,
    samples: '5',
  });
  await new Promise((res) => setTimeout(res, 3000));
  clearInterval(watch);
  const stats = await load.stop();
  const abortSeconds = ((backOnStable ?? Date.now()) - started) / 1000;
  const result = {
    bench: 'canary with 20% errors',
    outcome: r.outputs.outcome,
    reason: r.outputs.reason,
    requestsSent: stats.sent,
    requestsFailed: stats.failed,
    retriedAfterReload: stats.retried,
    failedShare: Number((stats.failed / stats.sent).toFixed(4)),
    secondsToStable: Number(abortSeconds.toFixed(2)),
    intervalSeconds: INTERVAL_S,
    intervalsToAbort: Number((abortSeconds / INTERVAL_S).toFixed(2)),
    goals: { failedShare: '< 0.01', intervalsToAbort: '<= 2' },
  };
  console.log(JSON.stringify(result));
  const ok = r.outputs.outcome === 'aborted' && result.failedShare < 0.01 && result.intervalsToAbort <= 2;
  console.log(
    `canary bench: ${(result.failedShare * 100).toFixed(2)}% of requests failed, back on stable after ${result.intervalsToAbort} intervals: ${ok ? 'met' : 'NOT met'}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await stack.stop();
}
