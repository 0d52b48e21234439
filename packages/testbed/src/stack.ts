/**
 * The serving stack for canary tests, all on 127.0.0.1 with free ports: the sample service
 * (one process per version), a real nginx in front with weighted upstreams, a real
 * Prometheus scraping every second, and a bounded load loop through nginx.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

/** Ports this process handed out: the OS may offer a port again once it is closed, before its user binds it. */
const handedOut = new Set<number>();

/** A port free on 127.0.0.1 now, never one this process handed out before (two servers of one stack never share one). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs}ms`);
}

const httpOk = async (url: string) => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;

export interface Proc {
  port: number;
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

export async function startService(
  version: string,
  options: { errorRate?: number; latencyMs?: number; port?: number } = {},
): Promise<Proc> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [join(REPO_ROOT, 'examples', 'service', 'server.mjs')], {
    env: {
      ...process.env,
      VERSION: version,
      PORT: String(port),
      ERROR_RATE: String(options.errorRate ?? 0),
      LATENCY_MS: String(options.latencyMs ?? 0),
    },
    stdio: 'ignore',
  });
  const address = `127.0.0.1:${port}`;
  await waitFor(`service ${version}`, () => httpOk(`http://${address}/metrics`));
  return { port, address, child, stop: stopper(child) };
}

export interface Nginx extends Proc {
  dir: string;
  conf: string;
  upstreamFile: string;
  testCommand: string[];
  reloadCommand: string[];
}

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** nginx in the foreground with its own prefix; `upstream app` comes from upstream.conf. */
export async function startNginx(initialUpstream: string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const upstreamFile = join(dir, 'upstream.conf');
  writeFileSync(upstreamFile, initialUpstream);
  const tmp = join(dir, 'tmp');
  writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
  include ${upstreamFile};
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://app; proxy_next_upstream off; proxy_connect_timeout 2s; }
  }
}
`,
  );
  const base = ['-c', conf, '-p', dir];
  const child = spawn('nginx', base, { stdio: 'ignore' });
  const address = `127.0.0.1:${port}`;
  await waitFor(
    'nginx',
    async () => (await fetch(`http://${address}/`, { signal: AbortSignal.timeout(1000) })).status > 0,
  );
  return {
    port,
    address,
    child,
    stop: stopper(child),
    dir,
    conf,
    upstreamFile,
    testCommand: ['nginx', '-t', '-q', ...base],
    reloadCommand: ['nginx', '-s', 'reload', ...base],
  };
}

export interface Router extends Proc {
  routesFile: string;
}

/** examples/router/router.mjs: the weighted router used where nginx and Prometheus are not installed. */
export async function startRouter(backends: { address: string; version: string; weight: number }[]): Promise<Router> {
  const dir = mkdtempSync(join(tmpdir(), 'router-'));
  const routesFile = join(dir, 'routes.json');
  writeFileSync(routesFile, JSON.stringify({ backends }));
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'examples', 'router', 'router.mjs')], {
    env: { ...process.env, PORT: String(port), ROUTES_FILE: routesFile },
    stdio: 'ignore',
  });
  const address = `127.0.0.1:${port}`;
  await waitFor('router', () => httpOk(`http://${address}/_router/stats/none`));
  return { port, address, child, stop: stopper(child), routesFile };
}

export interface Prometheus extends Proc {
  url: string;
}

export async function startPrometheus(targets: string[]): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: service\n    scrape_interval: 1s\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`,
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=error',
    ],
    {
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('prometheus', () => httpOk(`${url}/-/ready`), 30_000);
  return { port, address: `127.0.0.1:${port}`, url, child, stop: stopper(child) };
}

/** Waits until an instant query returns at least `series` finite values (e.g. rates need two scrapes). */
export async function waitForQuery(
  prometheusUrl: string,
  query: string,
  series = 1,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    `prometheus data for ${query}`,
    async () => {
      const r = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
        data?: { result?: { value: [number, string] }[] };
      };
      return (r.data?.result ?? []).filter((x) => Number.isFinite(Number(x.value[1]))).length >= series;
    },
    timeoutMs,
  );
}

export interface LoadStats {
  sent: number;
  failed: number;
  /**
   * GETs retried because the server closed a kept-alive connection before answering, as a
   * browser would (RFC 9112 9.3.1). nginx closes idle keep-alive connections on every reload,
   * so each traffic step can cause a few of these; they are not failures a user sees. A retry
   * may pick another pooled connection the same reload is closing: up to two retries a request.
   */
  retried: number;
  byVersion: Record<string, number>;
  /** Requests that failed: when they were sent (ms since start) and why (status or error). */
  failures: { at: number; reason: string }[];
  startedAt: number;
}

type FetchError = Error & { cause?: { code?: string; message?: string } };
const closedBeforeAnswer = (e: FetchError) => e.cause?.code === 'UND_ERR_SOCKET' || e.cause?.code === 'ECONNRESET';

/** A bounded request loop through nginx: `rps` requests per second until stopped or `maxMs`. */
export function startLoad(url: string, rps = 50, maxMs = 120_000): { stats: LoadStats; stop(): Promise<LoadStats> } {
  const stats: LoadStats = { sent: 0, failed: 0, retried: 0, byVersion: {}, failures: [], startedAt: Date.now() };
  let running = true;
  const inflight = new Set<Promise<void>>();
  const get = (retries: number): Promise<Response> =>
    fetch(url, { signal: AbortSignal.timeout(5000) }).catch((e: FetchError) => {
      if (retries === 0 || !closedBeforeAnswer(e)) throw e;
      stats.retried++;
      return get(retries - 1);
    });
  // Every 50 ms a burst of rps/20 requests; below 20 requests/s, one request every 1000/rps ms.
  const period = rps >= 20 ? 50 : Math.round(1000 / rps);
  const perTick = rps >= 20 ? Math.round(rps / 20) : 1;
  const tick = setInterval(() => {
    if (!running || Date.now() - stats.startedAt > maxMs) return;
    for (let i = 0; i < perTick; i++) {
      const at = Date.now() - stats.startedAt;
      stats.sent++;
      const p = get(2)
        .then(async (res) => {
          const body = (await res.json().catch(() => ({}))) as { version?: string };
          if (body.version) stats.byVersion[body.version] = (stats.byVersion[body.version] ?? 0) + 1;
          if (!res.ok) {
            stats.failed++;
            stats.failures.push({ at, reason: `HTTP ${res.status}` });
          }
        })
        .catch((e: FetchError) => {
          stats.failed++;
          stats.failures.push({ at, reason: e.cause?.code ?? e.cause?.message ?? e.message });
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
  }, period);
  return {
    stats,
    async stop() {
      running = false;
      clearInterval(tick);
      await Promise.all([...inflight]);
      return stats;
    },
  };
}
