/**
 * A rehearsal: the user's repository and workflow files, run step by step by the local
 * workflow runner against the GitHub emulator (a private repository by default, each job
 * holding only what its `permissions:` grant), the suite pinned at a snapshot of this working
 * tree, over the traffic layer the plan serves (or the user's own). What it returns is what
 * the report prints: each run, the split after it, the deployment history.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ArtifactService,
  GitHubEmulator,
  REPO_ROOT,
  commit,
  createRemote,
  freePort,
  git,
  hasBinary,
  snapshotRepository,
  startLoad,
  type LoadStats,
  type WorkflowResult,
  type WorkflowRunner,
} from '@rollgate/testbed';
import { roadRunner, stopDeployed } from '../roads/pipeline/scenario.js';
import { startServing, type Serving, type Weights } from '../roads/pipeline/serving.js';
import { PlanError, type CommitStep, type Plan, type RunStep } from './plan.js';
import { checkPlaceholders, expand, expandAll, type Values } from './placeholders.js';
import { rehearsalRepository } from './repository.js';
import { reviewing, type GivenReview } from './review.js';

/** A test-bed minute of an environment's wait timer in a rehearsal. */
const REHEARSAL_MINUTE_MS = 1000;

export interface RunOutcome {
  step: RunStep;
  result: WorkflowResult;
  /** Who gets traffic after the run (when the rehearsal serves). */
  weights?: Weights;
  /** The run ended as the plan expects. */
  ok: boolean;
}

export type Outcome = RunOutcome | { step: CommitStep; sha: string; ok: true };

export interface Rehearsal {
  ok: boolean;
  outcomes: Outcome[];
  gh: GitHubEmulator;
  load?: LoadStats;
  pinned: string;
  values: Values;
  serving?: Pick<Serving, 'describe' | 'address'>;
  reviews: GivenReview[];
}

/** What serve: auto|nginx|router starts, or why it cannot. */
function providerOf(serve: Plan['serve']): 'nginx' | 'command' | undefined {
  if (serve === 'none') return undefined;
  const nginx = hasBinary('nginx') && hasBinary('prometheus');
  if (serve === 'nginx' && !nginx)
    throw new PlanError('serve: nginx needs nginx and prometheus on PATH (apt-get install nginx prometheus)');
  return serve === 'router' || (serve === 'auto' && !nginx) ? 'command' : 'nginx';
}

/** Checks the plan against this machine before anything starts. */
function admit(plan: Plan): 'nginx' | 'command' | undefined {
  checkPlaceholders(plan);
  if (plan.serve !== 'none' && plan.addresses < 1)
    throw new PlanError('addresses: serve needs at least 1 (traffic goes to {{address.1}} before the first release)');
  if (plan.load && plan.serve === 'none')
    throw new PlanError('load: needs serve (the rehearsal sends load where it serves)');
  return providerOf(plan.serve);
}

export async function rehearse(o: { repository: string; plan: Plan; log: (line: string) => void }): Promise<Rehearsal> {
  const { plan, log } = o;
  const provider = admit(plan);
  const values: Values = {
    addresses: await Promise.all(Array.from({ length: plan.addresses }, async () => `127.0.0.1:${await freePort()}`)),
    pids: mkdtempSync(join(tmpdir(), 'rehearse-pids-')),
    scratch: mkdtempSync(join(tmpdir(), 'rehearse-scratch-')),
    suite: REPO_ROOT,
  };
  const suite = snapshotRepository(REPO_ROOT, ['.github', 'actions', 'dist'], 'rollgate snapshot');
  const remote = createRemote();
  const files = Object.fromEntries(
    Object.entries(plan.files).map(([k, v]) => [k, resolve(plan.dir, expand(v, values))]),
  );
  const work = rehearsalRepository(resolve(o.repository), remote, { sha: suite.sha, files, log });
  for (const [i, step] of plan.steps.entries())
    if (step.kind !== 'commit' && !existsSync(join(work, '.github', 'workflows', step.workflow))) {
      rmSync(work, { recursive: true, force: true });
      throw new PlanError(`steps[${i}].${step.kind}: .github/workflows/${step.workflow} is not in the repository`);
    }
  const gh = await GitHubEmulator.start({ remote, private: plan.visibility === 'private' });
  const artifacts = await ArtifactService.start();
  gh.useArtifacts(artifacts);
  let serving: Serving | undefined;
  let load: ReturnType<typeof startLoad> | undefined;
  let stopped: Promise<void> | undefined;
  // What the deploys ran from and the rehearsal's copy go; the user's repository is untouched.
  const stop = () =>
    (stopped ??= (async () => {
      await load?.stop();
      stopDeployed(values.pids);
      await Promise.all([serving?.stop(), artifacts.stop()]);
      await gh.stop();
      for (const dir of [work, values.scratch, values.pids]) rmSync(dir, { recursive: true, force: true });
    })());
  interrupt = stop;
  try {
    if (provider) {
      serving = await startServing(provider, values.addresses[0] as string, values.addresses);
      values.serveAddress = serving.address;
      const why = plan.serve === 'auto' && provider === 'command' ? ' (nginx and Prometheus are not on PATH)' : '';
      log(`serving: ${serving.describe}${why}`);
    }
    configureEnvironments(gh, plan, values);
    // The serving stack's settings are the repository's variables unless the plan sets them.
    const vars: Record<string, string> = { ...serving?.vars, ...expandAll(plan.vars, values) };
    const runner = roadRunner({
      remote,
      gh,
      artifacts,
      work,
      vars,
      log,
      repositories: { 'rollgate/rollgate': suite.mirror },
    });
    const secrets = expandAll(plan.secrets, values);
    log(`${gh.repository} (${plan.visibility}), the suite pinned at ${suite.sha.slice(0, 12)}`);
    const outcomes: Outcome[] = [];
    const reviews: GivenReview[] = [];
    for (const step of plan.steps) {
      if (step.kind === 'commit') {
        const sha = commit(work, step.message, expandAll(step.files, values));
        git(work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
        log(`● ${step.name} (${sha.slice(0, 12)})`);
        outcomes.push({ step, sha, ok: true });
        continue;
      }
      const result = await runStep(runner, gh, step, { work, vars, secrets, values, log, reviews });
      const outcome: RunOutcome = {
        step,
        result,
        ok: result.conclusion === step.expect,
        ...(serving ? { weights: serving.weights() } : {}),
      };
      outcomes.push(outcome);
      log(
        `${outcome.ok ? '✔' : '✘'} ${step.name}: ${result.conclusion}${outcome.ok ? '' : ` (the plan expects ${step.expect})`}`,
      );
      if (serving && plan.load && !load && result.conclusion === 'success') {
        load = startLoad(`http://${serving.address}/`, plan.load, 3_600_000);
        log(`load: ${plan.load} requests a second at ${serving.address} from here on`);
      }
    }
    const stats = await load?.stop();
    load = undefined;
    return {
      // Every step as the plan expects, and no user request lost on the way.
      ok: outcomes.every((x) => x.ok) && (plan.allowFailedRequests || (stats?.failed ?? 0) === 0),
      outcomes,
      gh,
      ...(stats ? { load: stats } : {}),
      pinned: suite.sha,
      values,
      ...(serving ? { serving: { describe: serving.describe, address: serving.address } } : {}),
      reviews,
    };
  } finally {
    await stop();
    interrupt = undefined;
  }
}

let interrupt: (() => Promise<void>) | undefined;

/**
 * Stops what the running rehearsal started (load, the deploys' processes, the traffic layer,
 * the emulators) and removes its folders: what the command does on Ctrl-C or SIGTERM.
 */
export function stopRehearsal(): Promise<void> {
  return interrupt?.() ?? Promise.resolve();
}

/** The plan's environments: reviewers, a wait timer (a rehearsal minute is a second) and vars. */
function configureEnvironments(gh: GitHubEmulator, plan: Plan, values: Values): void {
  gh.environments.minuteMs = REHEARSAL_MINUTE_MS;
  for (const [name, env] of Object.entries(plan.environments))
    gh.environments.configure(name, {
      reviewers: env.reviewers,
      waitTimer: env.waitTimer,
      vars: expandAll(env.vars, values),
    });
}

/**
 * One push or dispatch: the step's vars for this run only, its review of any job waiting for
 * reviewers. What the local runner cannot run ends as a failed run saying so, not a throw.
 */
async function runStep(
  runner: WorkflowRunner,
  gh: GitHubEmulator,
  step: RunStep,
  o: {
    work: string;
    vars: Record<string, string>;
    secrets: Record<string, string>;
    values: Values;
    log: (line: string) => void;
    reviews: GivenReview[];
  },
): Promise<WorkflowResult> {
  const saved = { ...o.vars };
  Object.assign(o.vars, expandAll(step.vars, o.values));
  try {
    const run = runner.run({
      file: join(o.work, '.github', 'workflows', step.workflow),
      event: step.kind === 'push' ? 'push' : 'workflow_dispatch',
      secrets: o.secrets,
      ...(step.kind === 'dispatch' ? { inputs: expandAll(step.inputs, o.values) } : {}),
      ...(step.kind === 'push' ? { sha: git(o.work, ['rev-parse', 'HEAD']) } : {}),
    });
    return await reviewing(gh, run, { ...(step.review ? { state: step.review } : {}), log: o.log, reviews: o.reviews });
  } catch (error) {
    const reason = `the local runner cannot run it: ${(error as Error).message}`;
    o.log(`  ✘ ${step.workflow}: ${reason}`);
    return { conclusion: 'failure', jobs: {}, outputs: {}, refused: reason };
  } finally {
    for (const k of Object.keys(o.vars)) if (!(k in saved)) delete o.vars[k];
    Object.assign(o.vars, saved);
  }
}
