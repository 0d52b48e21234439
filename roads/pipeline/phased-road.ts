/**
 * The road of a fleet, run by the local workflow runner: pipeline.yml with release-style phased
 * puts v0.1.0 on six instances behind a real HAProxy (a first release, batch by batch), then
 * v0.1.1 pauses after its first batch (pause: first); promote.yml (kind: phased) looks with a
 * dry run, then continues it to every target; rollback.yml puts v0.1.0 back on the whole fleet
 * from its original artifact. Judged on a real Prometheus scraping every instance.
 * Used by the pipeline test and by `npm run demo -- --phased`.
 */
import {
  GitHubEmulator,
  commit,
  freePort,
  git,
  startHaproxyPool,
  startLoad,
  startPrometheus,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { rmSync } from 'node:fs';
import { METRICS } from '../phased/stack.js';
import { openRoad, roadRunner, stopDeployed } from './scenario.js';

export interface PhasedRoad {
  first: WorkflowResult;
  second: WorkflowResult;
  dryRun: WorkflowResult;
  promote: WorkflowResult;
  rollback: WorkflowResult;
  gh: GitHubEmulator;
  targets: { name: string; address: string }[];
  /** What each target answered after each workflow. */
  versions: { first: string[]; paused: string[]; promoted: string[]; rolledBack: string[] };
  /** Statuses written by promote.yml's dry run (none may be). */
  dryRunStatuses: number;
  load: LoadStats;
}

async function answers(targets: { address: string }[]): Promise<string[]> {
  return Promise.all(
    targets.map(async (t) => {
      try {
        return ((await (await fetch(`http://${t.address}/`)).json()) as { version: string }).version;
      } catch {
        return 'down';
      }
    }),
  );
}

export async function runPhasedRoad(log: (line: string) => void): Promise<PhasedRoad> {
  const targets: { name: string; address: string }[] = [];
  for (let i = 1; i <= 6; i++) targets.push({ name: `web-${i}`, address: `127.0.0.1:${await freePort()}` });
  const { deploy, remote, work, gh, artifacts } = await openRoad();
  const haproxy = await startHaproxyPool(targets);
  const prometheus = await startPrometheus(targets.map((t) => t.address));
  let load: ReturnType<typeof startLoad> | undefined;
  let warm: ReturnType<typeof startLoad> | undefined;
  log(
    `stack: HAProxy ${haproxy.address} over ${targets.length} targets, Prometheus ${prometheus.url}, GitHub API emulator ${gh.url}`,
  );
  // The fleet's settings are repository variables, as a team would set them once.
  const runner = roadRunner({
    remote,
    gh,
    artifacts,
    work,
    log,
    vars: {
      RELEASE_STYLE: 'phased',
      FLEET_TARGETS: targets.map((t) => `${t.name}=${t.address}`).join('\n'),
      HAPROXY_SOCKET: haproxy.socket,
      HEALTH_URL: 'http://{address}/metrics',
      DEPLOY_COMMAND: deploy.command,
      CANARY_METRICS: METRICS,
      PROMETHEUS_URL: prometheus.url,
    },
  });
  const pipeline = (pause: string) =>
    runner.run({
      file: '.github/workflows/pipeline.yml',
      event: 'workflow_call',
      inputs: {
        'build-command': 'node build.mjs',
        outputs: 'server.mjs\nbuild-info.json',
        'test-command': 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml test/',
        reports: 'reports/*.xml',
        environment: 'production',
        batches: '1,50%,100%',
        interval: '6s',
        pause,
      },
    });
  const push = (message: string) => {
    commit(work, message);
    git(work, ['push', '-q', 'origin', 'main']);
    (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
  };
  try {
    // Traffic during the first release (the judge needs it: no data is never a pass), not
    // counted: before the first batch is in nothing answers. From then on no request may fail.
    warm = startLoad(`http://${haproxy.address}/`, 40, 300_000);
    const first = await pipeline('auto');
    await warm.stop();
    const v1 = await answers(targets);
    load = startLoad(`http://${haproxy.address}/`, 40, 600_000);
    push('feat: answer faster');
    const second = await pipeline('first');
    const paused = await answers(targets);
    const before = gh.state.statuses.length;
    const gate = (extra: Record<string, string>) =>
      runner.run({
        file: '.github/workflows/promote.yml',
        event: 'workflow_dispatch',
        inputs: { environment: 'production', version: '0.1.1', kind: 'phased', ...extra },
      });
    const dryRun = await gate({ action: 'promote', 'dry-run': 'true' });
    const dryRunStatuses = gh.state.statuses.length - before;
    const promote = await gate({ action: 'promote' });
    const promoted = await answers(targets);
    const rollback = await runner.run({
      file: '.github/workflows/rollback.yml',
      event: 'workflow_dispatch',
      inputs: { environment: 'production' },
    });
    const rolledBack = await answers(targets);
    return {
      first,
      second,
      dryRun,
      promote,
      rollback,
      gh,
      targets,
      versions: { first: v1, paused, promoted, rolledBack },
      dryRunStatuses,
      load: await load.stop(),
    };
  } finally {
    await load?.stop();
    await warm?.stop();
    stopDeployed(deploy.pids);
    await Promise.all([haproxy.stop(), prometheus.stop(), artifacts.stop()]);
    await gh.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
