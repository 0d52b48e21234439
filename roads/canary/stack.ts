/** The shared canary test stack: services per version, nginx, Prometheus, the GitHub emulator. */
import { readFileSync } from 'node:fs';
import {
  GitHubEmulator,
  createRemote,
  git,
  runAction,
  seedRepository,
  startNginx,
  startPrometheus,
  startService,
  startLoad,
  waitForQuery,
  type Nginx,
  type LoadStats,
  type Prometheus,
  type Proc,
  type RunOptions,
} from '@rollgate/testbed';

/** The canary checks over the stack's Prometheus: error rate, and p90 latency against the stable within `tolerance` seconds. */
export const canaryMetrics = (tolerance = 0.02) => `
- name: error-rate
  query: (sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[{{interval}}])) or vector(0)) / sum(rate(http_requests_total{version="{{version}}"}[{{interval}}]))
  max: 0.05
- name: latency-p90
  query: histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{version}}"}[{{interval}}])))
  compare: baseline
  max-increase: 50%
  tolerance: ${tolerance}
`;

export const METRICS = canaryMetrics();

export interface Stack {
  services: Record<string, Proc>;
  nginx: Nginx;
  prometheus: Prometheus;
  gh: GitHubEmulator;
  sha: string;
  upstream(): string;
  /** Records a live deployment of `version` in `environment`, as a finished rollout would. */
  seed(environment: string, version: string): Promise<number>;
  /** Records a canary of `version` left in progress (a lost runner, or paused at its gate). */
  leaveOpen(
    environment: string,
    version: string,
    description: string,
    run?: { id: string; attempt: number },
  ): Promise<number>;
  canary(inputs: Record<string, string>, options?: Partial<RunOptions>): ReturnType<typeof runAction>;
  stop(): Promise<void>;
}

export const STABLE = '1.0.0';

/** Workflow run ids handed out by the stack (seeded releases and canary runs). */
let runIds = 5000;

/** Runs `fn` under a steady load through nginx (after 1.5 s of stable traffic); returns its result and the load's stats. */
export async function loadDuring<T>(stack: Stack, fn: () => Promise<T>): Promise<{ result: T; stats: LoadStats }> {
  const load = startLoad(`http://${stack.nginx.address}/`, 60, 90_000);
  await new Promise((r) => setTimeout(r, 1500));
  const result = await fn();
  await new Promise((r) => setTimeout(r, 500));
  return { result, stats: await load.stop() };
}

/** Sends a few requests to every service and waits until Prometheus has rates for all of them. */
export async function warmUp(prometheusUrl: string, services: Proc[]): Promise<void> {
  const load = services.map((s) => startLoad(`http://${s.address}/`, 20, 8000));
  try {
    await waitForQuery(prometheusUrl, 'sum by (version) (rate(http_requests_total[4s]))', services.length);
  } finally {
    await Promise.all(load.map((l) => l.stop()));
  }
}

export async function startStack(variants: Record<string, { errorRate?: number; latencyMs?: number }>): Promise<Stack> {
  const services: Record<string, Proc> = {};
  services[STABLE] = await startService(STABLE);
  for (const [version, knobs] of Object.entries(variants)) services[version] = await startService(version, knobs);
  const nginx = await startNginx(`upstream app {\n    server ${services[STABLE]?.address};\n}\n`);
  const prometheus = await startPrometheus(Object.values(services).map((s) => s.address));
  await warmUp(prometheus.url, Object.values(services));
  const remote = createRemote();
  const seedDir = seedRepository(remote, 'feat: service');
  const gh = await GitHubEmulator.start({ remote });
  const sha = git(seedDir, ['rev-parse', 'HEAD']);
  const api = (path: string, body: object) =>
    fetch(`${gh.repoUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token t' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ id: number }>);
  return {
    services,
    nginx,
    prometheus,
    gh,
    sha,
    upstream: () => readFileSync(nginx.upstreamFile, 'utf8'),
    // As the pipeline's run that deployed it: the run is registered, writes the record, ends.
    async seed(environment, version) {
      const run = gh.startRun({ id: ++runIds, head_sha: sha });
      const payload = {
        version,
        commit: sha,
        address: services[version]?.address,
        run: { id: String(run.id), attempt: 1 },
      };
      const d = await api('/deployments', { ref: sha, environment, payload, auto_merge: false, required_contexts: [] });
      await api(`/deployments/${d.id}/statuses`, { state: 'success', description: `deployed ${version}` });
      gh.finishRun(run.id);
      return d.id;
    },
    async leaveOpen(environment, version, description, run = { id: String(++runIds), attempt: 1 }) {
      gh.startRun({ id: Number(run.id), head_sha: sha, run_attempt: run.attempt });
      const payload = {
        version,
        commit: sha,
        stable: STABLE,
        kind: 'canary',
        address: services[version]?.address,
        stable_address: services[STABLE]?.address,
        run,
      };
      const d = await api('/deployments', {
        ref: sha,
        environment,
        payload,
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
      });
      await api(`/deployments/${d.id}/statuses`, { state: 'in_progress', description });
      gh.finishRun(Number(run.id), 'failure');
      return d.id;
    },
    async canary(inputs, options = {}) {
      const version = inputs.version as string;
      // Each call is a workflow run of the pipeline on main, registered as GitHub would.
      const runId = options.runId ?? ++runIds;
      const branch = options.ref?.replace(/^refs\/heads\//, '') ?? gh.defaultBranch;
      gh.startRun({
        id: runId,
        head_sha: sha,
        run_attempt: options.runAttempt ?? 1,
        head_branch: branch,
        event: options.event?.name ?? 'push',
      });
      try {
        return await runAction({
          action: 'canary',
          repository: gh.repository,
          sha,
          apiUrl: gh.url,
          token: 'ghs_canary',
          ...options,
          inputs: {
            'traffic-provider': 'nginx',
            'nginx-upstream-file': nginx.upstreamFile,
            'nginx-test-command': nginx.testCommand.join(' '),
            'nginx-reload-command': nginx.reloadCommand.join(' '),
            'canary-address': services[version]?.address ?? '',
            'stable-address': services[STABLE]?.address ?? '',
            'prometheus-url': prometheus.url,
            metrics: METRICS,
            steps: '25,50,100',
            interval: '4s',
            samples: '4',
            'scrape-interval': '1s',
            ...inputs,
          },
          runId,
        });
      } finally {
        gh.finishRun(runId);
      }
    },
    async stop() {
      await Promise.all([...Object.values(services), nginx, prometheus].map((p) => p.stop()));
      await gh.stop();
    },
  };
}
