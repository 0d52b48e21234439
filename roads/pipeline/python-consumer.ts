/**
 * The Python consumer's road: examples/python-consumer as a repository of its own (a Python
 * service, pytest, a deploy script in the repository, slots), its three workflow files run by
 * the local runner as written, the suite pinned at a snapshot of this tree, on a private
 * repository under the permissions the files grant, over a real nginx and Prometheus.
 * First release (v0.1.0 into blue), a healthy canary (v0.1.1 into green, promoted), a bad one
 * (v0.1.2: half its requests fail; aborted, green untouched), rollback.yml (v0.1.0 back into
 * blue) and the manual gate (v0.1.3 paused in green, then promoted by promote.yml).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REPO_ROOT,
  commit,
  freePort,
  git,
  snapshotRepository,
  startLoad,
  type GitHubEmulator,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { consumerRepository } from './consumer.js';
import { openRoad, roadRunner, stopRoad } from './scenario.js';
import { startServing, type Weights } from './serving.js';

/** The service's error rate from its own counters (it exports no latency histogram). */
export const PYTHON_METRICS = `
- name: error-rate
  query: (sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[{{interval}}])) or vector(0)) / sum(rate(http_requests_total{version="{{version}}"}[{{interval}}]))
  max: 0.05
`;

export interface PythonRoad {
  runs: Record<'first' | 'second' | 'bad' | 'rollback' | 'paused' | 'promote', WorkflowResult>;
  weights: Record<'second' | 'bad' | 'rollback' | 'paused' | 'promoted', Weights>;
  /** What each slot answered after each step (the version it reports). */
  answers: Record<'afterBad' | 'afterRollback' | 'afterPromote', Record<'blue' | 'green', string>>;
  /** Green's process before and after the bad canary (the live release, never touched). */
  greenPid: { before: string; after: string };
  slots: { blue: string; green: string };
  gh: GitHubEmulator;
  load: LoadStats;
}

/**
 * The Python consumer's repository, its serving stack (nginx and Prometheus over two slots), the
 * emulators and a runner whose variables are the adoption's, with `overrides`; and `deliver`,
 * one push of deliver.yml at the work tree's head.
 */
async function openPythonRoad(log: (line: string) => void, overrides: Record<string, string> = {}) {
  const suite = snapshotRepository(REPO_ROOT, ['.github', 'actions', 'dist'], 'rollgate snapshot');
  const slots = { blue: `127.0.0.1:${await freePort()}`, green: `127.0.0.1:${await freePort()}` };
  const road = await openRoad((r) => consumerRepository(r, suite.sha, 'python-consumer'));
  const { deploy, remote, work, gh, artifacts } = road;
  const serving = await startServing('nginx', slots.blue, Object.values(slots));
  const home = mkdtempSync(join(tmpdir(), 'python-consumer-'));
  const vars: Record<string, string> = {
    ...serving.vars,
    CANARY_METRICS: PYTHON_METRICS,
    DEPLOY_COMMAND: `python3 deploy/deploy.py --home=${home} --pids=${deploy.pids}`,
    SLOTS: `blue=${slots.blue}\ngreen=${slots.green}`,
    ...overrides,
  };
  const repositories = { 'rollgate/rollgate': suite.mirror };
  const runner = roadRunner({ remote, gh, artifacts, work, vars, log, repositories });
  const file = (name: string) => join(work, '.github', 'workflows', name);
  const deliver = () => runner.run({ file: file('deliver.yml'), event: 'push', sha: git(work, ['rev-parse', 'HEAD']) });
  log(`python consumer ${gh.repository} (private), the suite pinned at ${suite.sha.slice(0, 12)}`);
  return { ...road, slots, serving, vars, runner, file, deliver };
}

export async function runPythonConsumer(log: (line: string) => void): Promise<PythonRoad> {
  const road = await openPythonRoad(log, {
    CANARY_STEPS: '25,100',
    CANARY_INTERVAL: '8s',
    // The test's Prometheus scrapes every second: query windows of four scrapes, four readings a step.
    CANARY_SAMPLES: '4',
    SCRAPE_INTERVAL: '1s',
  });
  const { deploy, work, gh, artifacts, slots, serving, vars, runner, file, deliver } = road;
  let load: ReturnType<typeof startLoad> | undefined;
  const push = (message: string, errorRate: number) => {
    commit(work, message, { 'app/config.py': `"""Settings of the service."""\nERROR_RATE = ${errorRate}\n` });
    git(work, ['push', '-q', 'origin', 'main']);
  };
  /** The version an address reports, or `down`. */
  const answer = async (address: string) =>
    fetch(`http://${address}/healthz`).then(
      (res) => res.headers.get('x-version') ?? '',
      () => 'down',
    );
  const both = async () => ({ blue: await answer(slots.blue), green: await answer(slots.green) });
  const pid = (address: string) => {
    const file = join(deploy.pids, `${address.split(':')[1]}.pid`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  try {
    const first = await deliver();
    load = startLoad(`http://${serving.address}/`, 30, 300_000);
    push('feat: answer in JSON', 0);
    const second = await deliver();
    const afterSecond = serving.weights();
    const before = pid(slots.green);
    push('fix: retry the database', 0.5);
    const bad = await deliver();
    const afterBad = { weights: serving.weights(), answers: await both(), pid: pid(slots.green) };
    const rollback = await runner.run({ file: file('rollback.yml'), event: 'workflow_dispatch', inputs: {} });
    const afterRollback = { weights: serving.weights(), answers: await both() };
    push('fix: no retries', 0);
    vars.CANARY_MODE = 'start';
    const paused = await deliver();
    delete vars.CANARY_MODE;
    const whilePaused = serving.weights();
    const promote = await runner.run({
      file: file('promote.yml'),
      event: 'workflow_dispatch',
      inputs: { version: '0.1.3', action: 'promote' },
    });
    return {
      runs: { first, second, bad, rollback, paused, promote },
      weights: {
        second: afterSecond,
        bad: afterBad.weights,
        rollback: afterRollback.weights,
        paused: whilePaused,
        promoted: serving.weights(),
      },
      answers: { afterBad: afterBad.answers, afterRollback: afterRollback.answers, afterPromote: await both() },
      greenPid: { before, after: afterBad.pid },
      slots,
      gh,
      load: await load.stop(),
    };
  } finally {
    await stopRoad({ load, pids: deploy.pids, serving, artifacts, gh, work });
  }
}

/**
 * One push of the Python consumer with `overrides` in its variables: what the pipeline did
 * (its jobs) and the tags and releases it left, for settings that must stop it before a tag.
 */
export async function deliverMisconfigured(
  overrides: Record<string, string>,
  log: (line: string) => void,
): Promise<{ run: WorkflowResult; tags: string[]; releases: number; deployments: number }> {
  const { deploy, remote, work, gh, artifacts, serving, deliver } = await openPythonRoad(log, overrides);
  try {
    const run = await deliver();
    const tags = git(remote, ['tag', '--list']).split('\n').filter(Boolean);
    return { run, tags, releases: gh.state.releases.length, deployments: gh.state.deployments.length };
  } finally {
    await stopRoad({ pids: deploy.pids, serving, artifacts, gh, work });
  }
}
