/**
 * The consumer's road: examples/consumer as an application repository of its own, its three
 * workflow files run by the local workflow runner exactly as written, with the suite resolved
 * as a remote repository (rollgate/rollgate) at a pinned commit from a mirror: a snapshot of
 * this working tree, so what is tested is what would be pinned. A private repository whose jobs
 * hold only what the files grant. deliver.yml twice (v0.1.0 live, then v0.1.1 canaried),
 * rollback.yml back to v0.1.0, deliver.yml with CANARY_MODE=start (v0.1.2 paused at its first
 * step), promote.yml through the gate. Used by the pipeline test and `npm run demo`.
 */
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  commit,
  freePort,
  git,
  seedRepository,
  snapshotRepository,
  startLoad,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { openRoad, roadRunner, stopRoad } from './scenario.js';
import { startServing, type Provider, type Weights } from './serving.js';

export interface ConsumerResult {
  runs: Record<'first' | 'second' | 'rollback' | 'third' | 'promote', WorkflowResult>;
  weights: Record<'second' | 'rollback' | 'paused' | 'promoted', Weights>;
  gh: GitHubEmulator;
  pinned: string;
  load: LoadStats;
  addresses: Record<'first' | 'second' | 'restored' | 'third', string>;
}

/**
 * A consumer's repository: examples/<example> (examples/consumer gets the sample service too),
 * and the suite pinned at `sha`.
 */
export function consumerRepository(remote: string, sha: string, example = 'consumer'): string {
  const dir = seedRepository(remote, 'chore: project skeleton');
  const from = join(REPO_ROOT, 'examples', example);
  for (const entry of readdirSync(from)) cpSync(join(from, entry), join(dir, entry), { recursive: true });
  if (example === 'consumer')
    copyFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), join(dir, 'server.mjs'));
  writeFileSync(join(dir, '.gitignore'), 'dist/\nreports/\nnode_modules/\n__pycache__/\n.pytest_cache/\n.deps/\n');
  pinSuite(join(dir, '.github', 'workflows'), sha);
  commit(dir, 'feat: the service answers with its version');
  git(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

/** The placeholder pins of the workflow files in `workflows` become the commit the consumer adopts. */
export function pinSuite(workflows: string, sha: string): void {
  for (const f of readdirSync(workflows)) {
    const file = join(workflows, f);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/(uses: rollgate\/rollgate\/\S+@)[0-9a-f]{40}/g, `$1${sha}`),
    );
  }
}

export async function runConsumerScenario(
  log: (line: string) => void,
  provider: Provider = 'nginx',
): Promise<ConsumerResult> {
  const suite = snapshotRepository(REPO_ROOT, ['.github', 'actions', 'dist'], 'rollgate snapshot');
  const addresses = {
    first: `127.0.0.1:${await freePort()}`,
    second: `127.0.0.1:${await freePort()}`,
    restored: `127.0.0.1:${await freePort()}`,
    third: `127.0.0.1:${await freePort()}`,
  };
  const { deploy, remote, work, gh, artifacts } = await openRoad((r) => consumerRepository(r, suite.sha));
  const serving = await startServing(provider, addresses.first, Object.values(addresses));
  let load: ReturnType<typeof startLoad> | undefined;
  log(`consumer ${gh.repository} (private), the suite pinned at ${suite.sha.slice(0, 12)}; ${serving.describe}`);
  const vars: Record<string, string> = {
    ...serving.vars,
    DEPLOY_COMMAND: deploy.command,
    STABLE_ADDRESS: addresses.restored,
    CANARY_STEPS: '25,100',
    CANARY_INTERVAL: '8s',
  };
  const runner = roadRunner({
    remote,
    gh,
    artifacts,
    work,
    vars,
    log,
    repositories: { 'rollgate/rollgate': suite.mirror },
  });
  const file = (name: string) => join(work, '.github', 'workflows', name);
  const deliver = (canary: string) => {
    vars.CANARY_ADDRESS = canary;
    return runner.run({ file: file('deliver.yml'), event: 'push', sha: git(work, ['rev-parse', 'HEAD']) });
  };
  const push = (message: string) => {
    commit(work, message);
    git(work, ['push', '-q', 'origin', 'main']);
  };
  try {
    const first = await deliver(addresses.first);
    load = startLoad(`http://${serving.address}/`, 30, 300_000);
    push('feat: answer faster');
    const second = await deliver(addresses.second);
    const afterSecond = serving.weights();
    const rollback = await runner.run({ file: file('rollback.yml'), event: 'workflow_dispatch', inputs: {} });
    const afterRollback = serving.weights();
    push('fix: close idle connections');
    vars.CANARY_MODE = 'start';
    const third = await deliver(addresses.third);
    delete vars.CANARY_MODE;
    const paused = serving.weights();
    const promote = await runner.run({
      file: file('promote.yml'),
      event: 'workflow_dispatch',
      inputs: { version: '0.1.2', action: 'promote' },
    });
    return {
      runs: { first, second, rollback, third, promote },
      weights: { second: afterSecond, rollback: afterRollback, paused, promoted: serving.weights() },
      gh,
      pinned: suite.sha,
      load: await load.stop(),
      addresses,
    };
  } finally {
    await stopRoad({ load, pids: deploy.pids, serving, artifacts, gh, work });
  }
}
