/**
 * What serves the sample service in the pipeline scenario: a real nginx judged through a real
 * Prometheus (the `nginx` traffic provider and `prometheus` checks), or, where those are not
 * installed, examples/router (the `command` traffic provider and `http` checks). Both give the
 * workflows the same inputs and vars and report the weights in the same shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startNginx, startPrometheus, startRouter } from '@rollgate/testbed';
import { canaryMetrics } from '../canary/stack.js';

export type Provider = 'nginx' | 'command';

/** Who gets traffic: address -> role, version and weight. */
export type Weights = Record<string, { role: string; version: string; weight: number }>;

export interface Serving {
  provider: Provider;
  /** Where users send requests. */
  address: string;
  describe: string;
  /** The traffic and metrics inputs of pipeline.yml. */
  inputs: Record<string, string>;
  /** The repository variables promote.yml and rollback.yml read. */
  vars: Record<string, string>;
  weights(): Weights;
  stop(): Promise<void>;
}

/** Parses the upstream include the nginx provider writes (`server <address> weight=<w>; # <role> <version>`). */
export function nginxWeights(text: string): Weights {
  const weights: Weights = {};
  for (const m of text.matchAll(/^\s*server (\S+?)(?: weight=(\d+))?;(?: # (\w+) (\S+))?$/gm)) {
    weights[m[1] as string] = { role: m[3] ?? 'initial', version: m[4] ?? '', weight: Number(m[2] ?? 100) };
  }
  return weights;
}

/**
 * The latency tolerance of the roads' canaries, in seconds. A Node.js process that has just
 * started answers its first requests tens of milliseconds slower on a loaded machine; a run of
 * the suite's tests once saw a canary's p90 at 82 ms against 3 ms for the warm stable. The
 * canary tests judge latency at the 0.02 s tolerance with services slowed on purpose
 * (test/canary). The roads show the pipeline, and they stop a bad release on its error rate.
 */
const ROAD_LATENCY_TOLERANCE = 0.25;

const ROAD_METRICS = canaryMetrics(ROAD_LATENCY_TOLERANCE);

export function routerMetrics(router: string): string {
  const query = `http://${router}/_router/stats/{{version}}?window={{interval}}`;
  return `
- name: error-rate
  provider: http
  query: ${query}
  path: $.error_rate
  max: 0.05
- name: latency-p90
  provider: http
  query: ${query}
  path: $.p90_seconds
  compare: baseline
  max-increase: 50%
  tolerance: ${ROAD_LATENCY_TOLERANCE}
`;
}

export async function startServing(provider: Provider, first: string, scraped: string[]): Promise<Serving> {
  if (provider === 'nginx') {
    const nginx = await startNginx(`upstream app {\n    server ${first};\n}\n`);
    const prometheus = await startPrometheus(scraped);
    const traffic = {
      TRAFFIC_PROVIDER: 'nginx',
      NGINX_UPSTREAM_FILE: nginx.upstreamFile,
      NGINX_TEST_COMMAND: nginx.testCommand.join(' '),
      NGINX_RELOAD_COMMAND: nginx.reloadCommand.join(' '),
    };
    return {
      provider,
      address: nginx.address,
      describe: `nginx ${nginx.address}, Prometheus ${prometheus.url}`,
      inputs: {
        'traffic-provider': 'nginx',
        'nginx-upstream-file': nginx.upstreamFile,
        'nginx-test-command': traffic.NGINX_TEST_COMMAND,
        'nginx-reload-command': traffic.NGINX_RELOAD_COMMAND,
        metrics: ROAD_METRICS,
        'prometheus-url': prometheus.url,
      },
      vars: { ...traffic, CANARY_METRICS: ROAD_METRICS, PROMETHEUS_URL: prometheus.url },
      weights: () => nginxWeights(readFileSync(nginx.upstreamFile, 'utf8')),
      stop: async () => void (await Promise.all([nginx.stop(), prometheus.stop()])),
    };
  }
  const router = await startRouter([{ address: first, version: '', weight: 100 }]);
  const command = `node ${join(REPO_ROOT, 'examples', 'router', 'route.mjs')} ${router.routesFile}`;
  const metrics = routerMetrics(router.address);
  const read = `node ${join(REPO_ROOT, 'examples', 'router', 'read-routes.mjs')} ${router.address}`;
  return {
    provider,
    address: router.address,
    describe: `examples/router ${router.address}`,
    inputs: { 'traffic-provider': 'command', 'traffic-command': command, 'traffic-read-command': read, metrics },
    vars: {
      TRAFFIC_PROVIDER: 'command',
      TRAFFIC_COMMAND: command,
      TRAFFIC_READ_COMMAND: read,
      CANARY_METRICS: metrics,
    },
    weights: () => {
      const routes = JSON.parse(readFileSync(router.routesFile, 'utf8')) as {
        backends: { address: string; version: string; weight: number; role?: string }[];
      };
      return Object.fromEntries(
        routes.backends.map((b) => [b.address, { role: b.role ?? 'initial', version: b.version, weight: b.weight }]),
      );
    },
    stop: () => router.stop(),
  };
}
