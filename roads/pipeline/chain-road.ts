/**
 * The environment chain's road: the consumer repository with examples/chain's two workflow
 * files (deliver.yml: pipeline.yml into staging, then carry.yml into production; carry.yml by
 * hand), run by the local runner on a private repository. Staging and production each have
 * their own nginx, Prometheus and two slots; the repository variables hold staging's settings
 * and production's GitHub environment overrides what differs, requires a reviewer and has a
 * wait timer longer than its soak. v0.1.0 goes through both (the road approves the production
 * job through the pending-deployments API); v0.1.1 reaches staging and the reviewer rejects it
 * for production (a change freeze); a bad v0.1.2 is stopped by staging's canary and never
 * reaches production; carrying it by hand is refused, and so is a carry whose soak has not
 * passed; then v0.1.1, live in staging, is carried by hand (approved) from its own commit, and
 * rollback.yml takes production back to v0.1.0 over the records the carry wrote.
 * Used by the chain test and `npm run demo`.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  commit,
  freePort,
  git,
  snapshotRepository,
  startLoad,
  type WorkflowResult,
  type WorkflowRunner,
} from '@rollgate/testbed';
import { openRoad, roadRunner, stopRoad } from './scenario.js';
import { startServing, type Serving, type Weights } from './serving.js';
import { consumerRepository, pinSuite } from './consumer.js';
import { reviewing as review, type GivenReview } from '../../rehearse/review.js';

/** A wait-timer minute of the test bed: the production timer (1 minute) lasts this long. */
const MINUTE_MS = 12_000;
export const REVIEWER = 'release-manager';
const SOAK_ERRORS =
  '(sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[{{window}}])) or vector(0)) / sum(rate(http_requests_total{version="{{version}}"}[{{window}}]))';

export interface ChainRoad {
  runs: Record<'first' | 'second' | 'bad' | 'carryBad' | 'carryEarly' | 'carried' | 'rollback', WorkflowResult>;
  /** At the end (staging, production), production after the rejected v0.1.1, and after the carry by hand. */
  weights: Record<'staging' | 'production' | 'afterFreeze' | 'afterCarry', Weights>;
  gh: GitHubEmulator;
  /** Reviews the road gave: run id and the state. */
  reviews: GivenReview[];
}

/** The consumer repository with examples/chain's workflows in place of deliver.yml (the suite pinned at `sha`). */
function chainRepository(remote: string, sha: string): string {
  const dir = consumerRepository(remote, sha);
  const from = join(REPO_ROOT, 'examples', 'chain', '.github', 'workflows');
  const to = join(dir, '.github', 'workflows');
  cpSync(from, to, { recursive: true });
  pinSuite(to, sha);
  commit(dir, 'ci: staging, then production');
  git(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

/** The two environments' serving stacks and settings. */
async function environments(gh: GitHubEmulator, deploy: string) {
  const slot = async () => `127.0.0.1:${await freePort()}`;
  const stagingSlots = { blue: await slot(), green: await slot() };
  const productionSlots = { blue: await slot(), green: await slot() };
  const staging = await startServing('nginx', stagingSlots.blue, Object.values(stagingSlots));
  const production = await startServing('nginx', productionSlots.blue, Object.values(productionSlots));
  const slots = (s: typeof stagingSlots) => `blue=${s.blue}\ngreen=${s.green}`;
  // Repository variables: the first environment's settings; production overrides what differs.
  const vars: Record<string, string> = {
    ...staging.vars,
    DEPLOY_COMMAND: deploy,
    SLOTS: slots(stagingSlots),
    CANARY_STEPS: '25,100',
    CANARY_INTERVAL: '8s',
    CANARY_SAMPLES: '4',
    SCRAPE_INTERVAL: '1s',
  };
  gh.environments.minuteMs = MINUTE_MS;
  gh.environments.configure('production', {
    reviewers: [REVIEWER],
    preventSelfReview: true,
    waitTimer: 1,
    deploymentBranches: { branches: ['main'] },
    // Its soak is shorter than its wait timer (one test-bed minute), so a carried release has soaked.
    vars: {
      ...production.vars,
      SLOTS: slots(productionSlots),
      SOAK: '10s',
      // Staging's error rate of the release over its soak, read from staging's Prometheus (no requests: no data, refused).
      SOAK_METRICS: `- name: staging-errors\n  query: ${SOAK_ERRORS}\n  max: 0.05\n`,
      SOAK_PROMETHEUS_URL: staging.vars.PROMETHEUS_URL as string,
    },
  });
  return { staging, production, vars };
}

export async function runChainRoad(log: (line: string) => void): Promise<ChainRoad> {
  const suite = snapshotRepository(REPO_ROOT, ['.github', 'actions', 'dist'], 'rollgate snapshot');
  const { deploy, remote, work, gh, artifacts } = await openRoad((r) => chainRepository(r, suite.sha));
  const { staging, production, vars } = await environments(gh, deploy.command);
  const serving: Serving[] = [staging, production];
  log(`chain ${gh.repository} (private): staging (${staging.describe}), production (${production.describe})`);
  const runner: WorkflowRunner = roadRunner({
    remote,
    gh,
    artifacts,
    work,
    vars,
    log,
    repositories: { 'rollgate/rollgate': suite.mirror },
  });
  const reviews: GivenReview[] = [];
  const reviewing = (run: Promise<WorkflowResult>, state: 'approved' | 'rejected' = 'approved', comment?: string) =>
    review(gh, run, { state, reviews, ...(comment ? { comment } : {}) });
  const file = (name: string) => join(work, '.github', 'workflows', name);
  const run = (name: string, event: 'push' | 'workflow_dispatch', inputs: Record<string, string> = {}) =>
    runner.run({
      file: file(name),
      event,
      inputs,
      ...(event === 'push' ? { sha: git(work, ['rev-parse', 'HEAD']) } : {}),
    });
  const deliver = () => reviewing(run('deliver.yml', 'push'));
  const carry = (inputs: Record<string, string>) => reviewing(run('carry.yml', 'workflow_dispatch', inputs));
  const push = (message: string, files?: Record<string, string>) => {
    commit(work, message, files);
    git(work, ['push', '-q', 'origin', 'main']);
  };
  // Users on both environments all along: the canaries and the soak checks are judged on their
  // requests (before the first release, nginx has nothing to send them to).
  const loads = serving.map((s) => startLoad(`http://${s.address}/`, 30, 600_000));
  try {
    const first = await deliver();
    push('feat: answer faster');
    const second = await reviewing(run('deliver.yml', 'push'), 'rejected', 'change freeze until Monday');
    const afterFreeze = production.weights();
    const server = readFileSync(join(work, 'server.mjs'), 'utf8');
    const bad = server.replace('Number(process.env.ERROR_RATE ?? 0)', 'Number(process.env.ERROR_RATE ?? 0.5)');
    if (bad === server) throw new Error('the sample service no longer reads ERROR_RATE as the road expects');
    push('fix: retry the database', { 'server.mjs': bad });
    const badRun = await deliver();
    const carryBad = await carry({ version: '0.1.2' });
    const carryEarly = await carry({ version: 'live', soak: '1h' });
    // After the freeze, what staging runs (0.1.1, soaked) goes to production by hand, from its own commit.
    const carried = await carry({ version: 'live' });
    const afterCarry = production.weights();
    // Production's records, the carried one included, are trusted: rollback reads them and goes back to 0.1.0.
    const rollback = await reviewing(run('rollback.yml', 'workflow_dispatch'));
    return {
      runs: { first, second, bad: badRun, carryBad, carryEarly, carried, rollback },
      weights: { staging: staging.weights(), production: production.weights(), afterFreeze, afterCarry },
      gh,
      reviews,
    };
  } finally {
    await Promise.all(loads.map((l) => l.stop()));
    await stopRoad({ pids: deploy.pids, serving: staging, artifacts, gh, work });
    await Promise.all(serving.slice(1).map((s) => s.stop()));
  }
}
