#!/usr/bin/env node
// A small weighted HTTP router for places without nginx and Prometheus (the demo falls back to
// it): the canary's `command` traffic provider sets its weights (route.mjs), and its `http`
// metrics provider reads per-version numbers from it.
//   PORT           port on 127.0.0.1 (default 8000)
//   ROUTES_FILE    JSON {"backends": [{"address": "127.0.0.1:8081", "version": "1.0.0", "weight": 100}]},
//                  read again whenever it changes (route.mjs replaces it atomically)
// GET /_router/stats/<version>?window=30s
//   -> {"version", "requests", "errors", "error_rate", "p90_seconds"} over the last window;
//      error_rate and p90_seconds are null when the version served nothing (no data, never a pass)
// GET /_router/routes
//   -> {"routes": [{"address", "version", "weight"}]}: what it routes now (the traffic-read-command
//      contract; examples/router/read-routes.mjs prints it)
// Anything else is proxied to a backend picked by weight; a backend that cannot be reached
// answers 502 and counts as an error of its version.
import { createServer, request } from 'node:http';
import { readFileSync, statSync } from 'node:fs';

const port = Number(process.env.PORT ?? 8000);
const routesFile = process.env.ROUTES_FILE ?? 'routes.json';
let routes = { backends: [] };
let seen = '';
const served = []; // { at, version, error, seconds }, oldest first, pruned past 10 minutes

function currentRoutes() {
  try {
    const st = statSync(routesFile);
    const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (key !== seen) {
      routes = JSON.parse(readFileSync(routesFile, 'utf8'));
      seen = key;
    }
  } catch {
    /* keep the last good routes */
  }
  return routes.backends.filter((b) => b.weight > 0);
}

function pick(backends) {
  const total = backends.reduce((n, b) => n + b.weight, 0);
  let r = Math.random() * total;
  for (const b of backends) if ((r -= b.weight) < 0) return b;
  return backends.at(-1);
}

function record(version, error, started) {
  const at = Date.now();
  served.push({ at, version, error, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  while (served.length && served[0].at < at - 600_000) served.shift();
}

function windowMs(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text ?? '30s');
  return m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2]] : 30_000;
}

function stats(version, ms) {
  const since = Date.now() - ms;
  const mine = served.filter((s) => s.at >= since && s.version === version);
  const errors = mine.filter((s) => s.error).length;
  const sorted = mine.map((s) => s.seconds).sort((a, b) => a - b);
  const p90 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)] : null;
  return {
    version,
    requests: mine.length,
    errors,
    error_rate: mine.length ? errors / mine.length : null,
    p90_seconds: p90,
  };
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://router');
  const statsPath = /^\/_router\/stats\/([\w.+-]+)$/.exec(url.pathname);
  if (statsPath) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats(statsPath[1], windowMs(url.searchParams.get('window')))));
    return;
  }
  if (url.pathname === '/_router/routes') {
    const now = currentRoutes().map(({ address, version, weight }) => ({ address, version, weight }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ routes: now }));
    return;
  }
  const backends = currentRoutes();
  if (!backends.length) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no backend has weight\n');
    return;
  }
  const backend = pick(backends);
  const [host, bport] = backend.address.split(':');
  const started = process.hrtime.bigint();
  const upstream = request(
    { host, port: Number(bport), method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('end', () => record(backend.version, (up.statusCode ?? 502) >= 500, started));
    },
  );
  upstream.on('error', () => {
    record(backend.version, true, started);
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway\n');
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => console.log(`router on 127.0.0.1:${port}, routes from ${routesFile}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
