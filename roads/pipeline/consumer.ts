/**
 * The consumer's road: examples/consumer as an application repository of its own, its three
 * workflow files run by the local workflow runner exactly as written, with the suite resolved
 * as a remote repository (rollgate/rollgate) at a pinned commit from a mirror: a snapshot of
 * this working tree, so what is tested is what would be pinned. A private repository whose jobs
 * hold only what the files grant. deliver.yml twice (v0.1.0 live, then v0.1.1 canaried),
 * rollback.yml back to v0.1.0, deliver.yml with CANARY_MODE=start (v0.1.2 paused at its first
 * step), promote.yml through the gate: examples/consumer/rehearsal.yml, run by the rehearsal
 * (rehearse/) as `npm run rehearse -- examples/consumer` runs it. Used by the pipeline test and
 * `npm run demo`.
 */
import { copyFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  commit,
  git,
  seedRepository,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { parsePlan, type Plan } from '../../rehearse/plan.js';
import { report } from '../../rehearse/report.js';
import { pinSuiteUses } from '../../rehearse/repository.js';
import { rehearse, type RunOutcome } from '../../rehearse/run.js';
import type { Provider, Weights } from './serving.js';

export interface ConsumerResult {
  runs: Record<'first' | 'second' | 'rollback' | 'third' | 'promote', WorkflowResult>;
  weights: Record<'second' | 'rollback' | 'paused' | 'promoted', Weights>;
  gh: GitHubEmulator;
  pinned: string;
  load: LoadStats;
  addresses: Record<'first' | 'second' | 'restored' | 'third', string>;
  /** The rehearsal's report of the road. */
  lines: string[];
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
  pinSuiteUses(workflows, sha);
}

/**
 * The road is a rehearsal (rehearse/) of examples/consumer with its plan,
 * examples/consumer/rehearsal.yml, served as `provider` says: the runs and splits by the
 * plan's order.
 */
export async function runConsumerScenario(
  log: (line: string) => void,
  provider: Provider = 'nginx',
): Promise<ConsumerResult> {
  const folder = join(REPO_ROOT, 'examples', 'consumer');
  const file = join(folder, 'rehearsal.yml');
  const plan: Plan = {
    ...parsePlan(readFileSync(file, 'utf8'), file),
    serve: provider === 'nginx' ? 'nginx' : 'router',
  };
  const r = await rehearse({ repository: folder, plan, log });
  const runs = r.outcomes.filter((o): o is RunOutcome => 'result' in o);
  if (runs.length !== 5) throw new Error(`${file}: expected five runs, has ${runs.length}`);
  const [first, second, rollback, third, promote] = runs as [
    RunOutcome,
    RunOutcome,
    RunOutcome,
    RunOutcome,
    RunOutcome,
  ];
  const [a, b, c, d] = r.values.addresses as [string, string, string, string];
  const weights = (o: RunOutcome) => o.weights ?? {};
  return {
    runs: {
      first: first.result,
      second: second.result,
      rollback: rollback.result,
      third: third.result,
      promote: promote.result,
    },
    weights: {
      second: weights(second),
      rollback: weights(rollback),
      paused: weights(third),
      promoted: weights(promote),
    },
    gh: r.gh,
    pinned: r.pinned,
    load: r.load as LoadStats,
    addresses: { first: a, second: b, restored: c, third: d },
    lines: report(r),
  };
}
