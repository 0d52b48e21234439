/**
 * The phased-release stack for the tests and `npm run bench:phased`: the GitHub emulator with
 * the sample service's releases as release assets (a bad build answers a share of requests
 * 500), six targets deployed in place by the sample deploy command, a real HAProxy with one
 * server per target, a real Prometheus scraping them, and 1.0.0 recorded as live.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishRelease } from '../lib/releases.js';
import {
  GitHubEmulator,
  REPO_ROOT,
  createRemote,
  freePort,
  git,
  runAction,
  seedRepository,
  startHaproxyPool,
  startLoad,
  startPrometheus,
  waitForQuery,
  type Haproxy,
  type Prometheus,
  type RunOptions,
} from '@rollgate/testbed';

export const METRICS = `
- name: error-rate
  query: (sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[{{window}}])) or vector(0)) / sum(rate(http_requests_total{version="{{version}}"}[{{window}}]))
  max: 0.05
`;

export interface FleetStack {
  gh: GitHubEmulator;
  /** The (first) HAProxy in front of the fleet. */
  haproxy: Haproxy;
  /** Every HAProxy in front of the fleet (an HA pair, or one per zone: each gets every change). */
  balancers: Haproxy[];
  /** How long the sample deploy command took for each target when the fleet started (ms). */
  deployTimes: number[];
  prometheus: Prometheus;
  sha: string;
  targets: { name: string; address: string }[];
  /** What a target answers now. */
  answers(address: string): Promise<string>;
  /** Runs the phased action (bundle) as a pipeline run on main would. */
  phased(version: string, inputs?: Record<string, string>, options?: Partial<RunOptions>): ReturnType<typeof runAction>;
  /** The deploy command with faults (test/phased/fault-deploy.mjs: hang, slow, broken), as a deploy-command input. */
  faultyDeploy(...faults: string[]): string;
  /** The folder of the targets' pid files. */
  pids: string;
  /** Runs the phased action as promote.yml's gate step does (mode continue, abort or reconcile; no targets, batches or artifact). */
  gate(
    version: string,
    mode: 'continue' | 'abort' | 'reconcile',
    inputs?: Record<string, string>,
  ): ReturnType<typeof runAction>;
  /** The sample deploy command (argv), with the folder of pid files this stack's targets are stopped by. */
  deployCommand: string[];
  /** The pid of the process serving on a target's address now. */
  pid(address: string): number;
  /** Posts to the emulator's REST API as an admin would (a forger holding deployments: write). */
  api(path: string, body: object): Promise<{ id: number }>;
  /** Runs the rollback action (bundle) as rollback.yml's job would; `fleet: false` leaves the fleet inputs out. */
  rollback(inputs?: Record<string, string>, fleet?: boolean): ReturnType<typeof runAction>;
  /** Registers a run and returns its id (for bad-input runs). */
  startRun(): number;
  stop(): Promise<void>;
}

let runIds = 9100;

export async function startFleet(
  versions: Record<string, { errorRate?: number }>,
  count = 6,
  balancerCount = 1,
): Promise<FleetStack> {
  const remote = createRemote();
  const seedDir = seedRepository(remote);
  const sha = git(seedDir, ['rev-parse', 'HEAD']);
  const gh = await GitHubEmulator.start({ remote });
  const pids = mkdtempSync(join(tmpdir(), 'phased-pids-'));
  const releases: Record<string, { name: string; digest: string; dir: string }> = {};

  /** The sample service at `version` as a release asset. */
  const publish = (version: string, errorRate = 0) => {
    releases[version] = publishRelease(gh, seedDir, version, errorRate);
  };
  const api = async (path: string, body: object) => {
    const res = await fetch(`${gh.repoUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'token t' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { id: number };
  };
  const deployCommand = [process.execPath, join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs'), `--pids=${pids}`];

  publish('1.0.0');
  for (const [version, knobs] of Object.entries(versions)) publish(version, knobs.errorRate);
  const targets: { name: string; address: string }[] = [];
  for (let i = 1; i <= count; i++) targets.push({ name: `web-${i}`, address: `127.0.0.1:${await freePort()}` });
  // The fleet starts on 1.0.0, deployed by the same command the action runs (each deploy timed).
  const deployTimes: number[] = [];
  for (const t of targets) {
    const started = Date.now();
    execFileSync(deployCommand[0] as string, [...deployCommand.slice(1), '1.0.0', releases['1.0.0']?.dir as string], {
      env: { ...process.env, ROLLGATE_ADDRESS: t.address },
      stdio: 'ignore',
    });
    deployTimes.push(Date.now() - started);
  }
  const balancers: Haproxy[] = [];
  for (let i = 0; i < balancerCount; i++) balancers.push(await startHaproxyPool(targets));
  const haproxy = balancers[0] as Haproxy;
  const prometheus = await startPrometheus(targets.map((t) => t.address));
  // 1.0.0 is live: released by a pipeline run on main, from its release asset.
  const run = gh.startRun({ id: ++runIds, head_sha: sha });
  const first = releases['1.0.0'] as { name: string; digest: string };
  const d = await api('/deployments', {
    ref: sha,
    environment: 'production',
    auto_merge: false,
    required_contexts: [],
    payload: {
      version: '1.0.0',
      kind: 'phased',
      commit: sha,
      run: { id: String(run.id), attempt: 1 },
      artifact: {
        name: first.name,
        digest: first.digest,
        run_id: String(run.id),
        release_tag: 'v1.0.0',
        asset: `${first.name}.tar.gz`,
      },
    },
  });
  await api(`/deployments/${d.id}/statuses`, {
    state: 'success',
    description: `released: 1.0.0 on all ${count} targets`,
  });
  gh.finishRun(run.id);
  const warm = startLoad(`http://${haproxy.address}/`, 30, 10_000);
  await waitForQuery(prometheus.url, 'sum by (instance) (rate(http_requests_total[4s]))', count);
  await warm.stop();

  /** The fleet's access, the deploy command and the checks every phased run is given. */
  const judging = {
    'deploy-command': deployCommand.join(' '),
    'health-url': 'http://{address}/healthz',
    'haproxy-socket': balancers.map((b) => b.socket).join('\n'),
    metrics: METRICS,
    'prometheus-url': prometheus.url,
    samples: '4',
    'scrape-interval': '1s',
  };
  /** Runs an action's bundle as a workflow run of this repository (registered, then finished). */
  const dispatch = (
    action: string,
    token: string,
    event: string,
    inputs: Record<string, string>,
    options: Partial<RunOptions> = {},
  ) => {
    const runId = ++runIds;
    gh.startRun({ id: runId, head_sha: sha, ...(event === 'push' ? {} : { event }) });
    return runAction({
      action,
      repository: gh.repository,
      sha,
      apiUrl: gh.url,
      token,
      runId,
      inputs,
      timeoutMs: 240_000,
      ...options,
    }).finally(() => gh.finishRun(runId));
  };

  return {
    gh,
    haproxy,
    balancers,
    deployTimes,
    prometheus,
    sha,
    targets,
    deployCommand,
    api,
    pid(address) {
      return Number(readFileSync(join(pids, `${address.split(':')[1]}.pid`), 'utf8'));
    },
    async answers(address) {
      return ((await (await fetch(`http://${address}/`)).json()) as { version: string }).version;
    },
    startRun() {
      const id = ++runIds;
      gh.startRun({ id, head_sha: sha });
      return id;
    },
    pids,
    faultyDeploy(...faults) {
      return [
        process.execPath,
        join(REPO_ROOT, 'test', 'phased', 'fault-deploy.mjs'),
        ...faults.map((f) => `--fault=${f}`),
        `--pids=${pids}`,
      ].join(' ');
    },
    phased(version, inputs = {}, options = {}) {
      const r = releases[version] as { name: string; digest: string };
      return dispatch(
        'phased',
        'ghs_phased',
        'push',
        {
          version,
          environment: 'production',
          targets: targets.map((t) => `${t.name}=${t.address}`).join('\n'),
          batches: '1,50%,100%',
          'min-healthy': '50%',
          interval: '4s',
          ...judging,
          'artifact-name': r.name,
          'artifact-digest': r.digest,
          'release-tag': `v${version}`,
          ...inputs,
        },
        options,
      );
    },
    gate(version, mode, inputs = {}) {
      return dispatch('phased', 'ghs_promote', 'workflow_dispatch', {
        version,
        environment: 'production',
        mode,
        ...judging,
        ...inputs,
      });
    },
    rollback(inputs = {}, fleet = true) {
      return dispatch('rollback', 'ghs_rollback', 'workflow_dispatch', {
        environment: 'production',
        'deploy-command': deployCommand.join(' '),
        ...(fleet
          ? {
              targets: targets.map((t) => `${t.name}=${t.address}`).join('\n'),
              'haproxy-socket': balancers.map((b) => b.socket).join('\n'),
              'health-url': 'http://{address}/healthz',
            }
          : { 'target-address': targets[0]?.address as string }),
        ...inputs,
      });
    },
    async stop() {
      for (const t of targets) {
        try {
          process.kill(Number(readFileSync(join(pids, `${t.address.split(':')[1]}.pid`), 'utf8')), 'SIGTERM');
        } catch {
          // not running
        }
      }
      for (const b of balancers) await b.stop();
      await prometheus.stop();
      await gh.stop();
    },
  };
}
