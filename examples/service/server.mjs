#!/usr/bin/env node
// The sample service: one HTTP server per version, with Prometheus metrics.
//   VERSION        version label on every metric (default 1.0.0)
//   PORT           port on 127.0.0.1 (default 8080)
//   ERROR_RATE     share of requests answered 500 (0..1, default 0)
//   LATENCY_MS     added latency per request (default 0)
// GET /            -> {"version": ...}   (counted in the metrics)
// GET /healthz     -> {"version": ..., "ok": true}, not counted: the health check a rollout reads
// Every answer carries `x-version`: what the process runs, which a rollout reads back.
// GET /metrics     -> Prometheus text format:
//   http_requests_total{version,code} counter
//   http_request_duration_seconds{version} histogram
import { createServer } from 'node:http';

const version = process.env.VERSION ?? '1.0.0';
const port = Number(process.env.PORT ?? 8080);
const errorRate = Number(process.env.ERROR_RATE ?? 0);
const latencyMs = Number(process.env.LATENCY_MS ?? 0);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// code -> n. The codes it answers are exported from the start, at 0, as Prometheus advises
// (https://prometheus.io/docs/practices/instrumentation/#avoid-missing-metrics): a rate over a
// new version's first seconds then has the samples it needs, and errors show at once.
const counts = new Map([
  ['200', 0],
  ['500', 0],
]);
const buckets = new Array(BUCKETS.length).fill(0);
let sum = 0;
let total = 0;
let seq = 0;

function observe(code, seconds) {
  counts.set(code, (counts.get(code) ?? 0) + 1);
  BUCKETS.forEach((le, i) => {
    if (seconds <= le) buckets[i] += 1;
  });
  sum += seconds;
  total += 1;
}

function metrics() {
  const v = `version="${version}"`;
  const lines = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
  for (const [code, n] of counts) lines.push(`http_requests_total{${v},code="${code}"} ${n}`);
  lines.push('# HELP http_request_duration_seconds Request latency.', '# TYPE http_request_duration_seconds histogram');
  BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{${v},le="${le}"} ${buckets[i]}`));
  lines.push(`http_request_duration_seconds_bucket{${v},le="+Inf"} ${total}`);
  lines.push(`http_request_duration_seconds_sum{${v}} ${sum}`, `http_request_duration_seconds_count{${v}} ${total}`);
  return lines.join('\n') + '\n';
}

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'x-version': version });
    res.end(metrics());
    return;
  }
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-version': version });
    res.end(JSON.stringify({ version, ok: true }));
    return;
  }
  const started = process.hrtime.bigint();
  // Deterministic error spread: every request n with (n * 37) % 100 < rate*100 fails.
  const fail = (++seq * 37) % 100 < errorRate * 100;
  setTimeout(() => {
    const code = fail ? 500 : 200;
    res.writeHead(code, { 'content-type': 'application/json', 'x-version': version });
    res.end(JSON.stringify({ version, ok: !fail }));
    observe(String(code), Number(process.hrtime.bigint() - started) / 1e9);
  }, latencyMs);
});
server.listen(port, '127.0.0.1', () => console.log(`service ${version} on 127.0.0.1:${port}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
