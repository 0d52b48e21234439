/**
 * The canary rollout: for each step, move the weight, sample every check through the step,
 * judge; stop at the first verdict against the canary and put all traffic back on stable.
 * Every step is a deployment status, so the Deployments page shows the rollout and a later
 * run (promote, abort, rollback) reads where it stands.
 */
import { ActionError, Cancelled, errorLine, systemClock } from '@rollgate/kit';
import { Judge, type Verdict } from '@rollgate/analysis';
import type { Backend, Split } from '@rollgate/traffic';
import { TrafficUnverified, confirmSplit } from '../slots/read-back.js';
import type { ReleaseRecords } from '@rollgate/github';
import { commandDeployer } from '../artifact/deployer.js';
import { canaryAnswers } from '../fleet/health.js';
import { dryRunCanary } from './dry-run.js';
import { describeStatus } from '../records/status-codec.js';
import { openCanaryRecord } from './start.js';
import { findOpen, plan } from './state.js';
import { retireReplaced } from '../records/state.js';
import { analyseStep } from '../judging/step.js';

export type { CanaryConfig, CanaryResult, InflightState, Mode, StepRecord } from './types.js';
import type { CanaryConfig, CanaryResult, StepRecord } from './types.js';

export { Cancelled } from '@rollgate/kit';

/** The canary is deployed as each target of a phased release is: the one deployer (release-deployer.ts). */
function deployCanary(
  config: CanaryConfig,
  canary: Backend,
  deploy: NonNullable<CanaryConfig['deploy']>,
): Promise<void> {
  const deployer = commandDeployer({
    command: deploy.command,
    gh: deploy.gh,
    token: deploy.token,
    repo: deploy.repo,
    ...(config.tempDir ? { tempDir: config.tempDir } : {}),
    logger: config.logger,
  });
  return deployer.deploy(
    { name: 'canary', address: canary.address ?? '' },
    { version: config.version, artifact: deploy.artifact },
  );
}

export async function runCanary(config: CanaryConfig): Promise<CanaryResult> {
  if (config.dryRun) return dryRunCanary(config);
  const clock = config.clock ?? systemClock;
  const startedAt = clock.now();
  const steps: StepRecord[] = [];
  const { records, traffic } = config;
  const log = (line: string) => config.logger.info(line);
  const status = (id: number, state: Parameters<ReleaseRecords['status']>[1], text: string) =>
    records.status(id, state, text, config.logUrl ? { logUrl: config.logUrl } : {});

  let deploymentId = 0;
  /** Reads the split back (slots/read-back.ts); a wrong one ends the record as error, saying what is routed. */
  const confirmOrRecord = async (split: Split): Promise<string> => {
    try {
      return await confirmSplit(traffic, split);
    } catch (error) {
      if (error instanceof TrafficUnverified && deploymentId)
        await status(deploymentId, 'error', errorLine(error)).catch(() => undefined);
      throw error;
    }
  };
  let stable: Backend;
  let canary = config.canary;
  let rollout = plan(config);
  let remaining = rollout.steps;
  if (config.mode === 'promote' || config.mode === 'abort') {
    const found = await findOpen(config);
    deploymentId = found.open.id;
    stable = found.stable;
    canary = found.canary;
    rollout = plan(config, found.open.payload.rollout);
    if (config.mode === 'abort') {
      config.inflight({ deploymentId, canary, stable, weight: found.weight });
      await traffic.setSplit({ stable, canary, canaryWeight: 0 });
      const routed = await confirmOrRecord({ stable, canary, canaryWeight: 0 });
      await status(
        deploymentId,
        'failure',
        describeStatus({ kind: 'aborted-by-hand', weight: found.weight, stable: stable.version }),
      );
      config.inflight(undefined);
      log(`Aborted the canary of ${config.version}: traffic back on ${routed}.`);
      return {
        outcome: 'aborted',
        deploymentId,
        weight: 0,
        stable,
        steps,
        startedAt,
        endedAt: clock.now(),
        verdict: { check: 'manual', reason: 'aborted by hand' },
      };
    }
    remaining = rollout.steps.filter((w) => w > found.weight);
  } else {
    const opened = await openCanaryRecord(config, canary, rollout, status, clock);
    deploymentId = opened.deploymentId;
    stable = opened.stable;
    canary = opened.canary;
    const current = opened.current;
    if (!current) {
      log(`No stable release in ${records.environment} yet: ${config.version} goes to 100% without a comparison.`);
      remaining = [100];
    }
    await status(
      deploymentId,
      'in_progress',
      describeStatus({ kind: 'starting', version: config.version, stable: stable.version }),
    );
    if (config.deploy) {
      try {
        await deployCanary(config, canary, config.deploy);
      } catch (error) {
        await status(
          deploymentId,
          'failure',
          describeStatus({ kind: 'deploy-failed', version: config.version, error: (error as Error).message }),
        );
        throw error;
      }
    }
  }

  const judge = new Judge(config.checks, {
    failureLimit: config.failureLimit,
    inconclusiveLimit: config.inconclusiveLimit,
    alpha: config.alpha ?? 0.05,
    waitForData: config.minRequests !== undefined,
  });
  let at = 0;
  let promoted = false;
  /** The canary's result now: its steps and every reading the judge took. */
  const result = (outcome: CanaryResult['outcome'], weight: number, verdict?: Verdict): CanaryResult => ({
    outcome,
    deploymentId,
    weight,
    stable,
    ...(verdict ? { verdict } : {}),
    steps,
    readings: judge.log,
    startedAt,
    endedAt: clock.now(),
  });
  /** A verdict against the canary (at a step, or before the next one): all traffic back on stable, the record settled. */
  /** Someone else settled this canary (an abort by hand from promote.yml, beside this run): it already put the traffic back. */
  const settledElsewhere = async (moved = false): Promise<CanaryResult | undefined> => {
    const latest = await records.latest(deploymentId);
    if (latest.state === 'in_progress') return undefined;
    // The abort landed between this run's check and its move: undo the move.
    if (moved) await traffic.setSplit({ stable, canary, canaryWeight: 0 });
    config.inflight(undefined);
    log(
      `The canary of ${config.version} was settled by someone else (${latest.state}: ${latest.description}): stopping${moved ? ', traffic back on stable' : ' without moving traffic'}.`,
    );
    const verdict = { check: 'manual', reason: `settled by someone else: ${latest.description || latest.state}` };
    return result('aborted', 0, verdict);
  };
  const abort = async (verdict: Verdict, weight: number, when: 'at' | 'before'): Promise<CanaryResult> => {
    const elsewhere = await settledElsewhere();
    if (elsewhere) return elsewhere;
    steps.push({ weight, at: new Date(clock.now()).toISOString(), outcome: 'failed', reason: verdict.reason });
    if (at > 0) await traffic.setSplit({ stable, canary, canaryWeight: 0 });
    const routed = await confirmOrRecord({ stable, canary, canaryWeight: 0 });
    await status(deploymentId, 'failure', describeStatus({ kind: 'aborted', weight: at, reason: verdict.reason }));
    config.inflight(undefined);
    log(`Canary failed ${when} ${weight}%: ${verdict.reason}. All traffic back on ${routed}.`);
    return result('aborted', 0, verdict);
  };
  try {
    for (const weight of remaining) {
      // The canary itself must answer before it gets more traffic (or all of it).
      const target = {
        ...(canary.address && traffic.addressesReachable ? { address: canary.address } : {}),
        ...(config.healthUrl ? { healthUrl: config.healthUrl } : {}),
      };
      const dead = await canaryAnswers(target, Math.min(config.metricsTimeoutMs ?? 10_000, 5000), config.signal);
      if (dead)
        return await abort(
          { check: 'canary health', reason: `the canary does not answer before ${weight}%: ${dead}` },
          weight,
          'before',
        );
      // Aborted by hand meanwhile (promote.yml runs in the operations group, beside this run):
      // the abort already put the traffic back and settled the record; this run moves nothing more.
      const elsewhere = await settledElsewhere();
      if (elsewhere) return elsewhere;
      at = weight;
      config.inflight({ deploymentId, canary, stable, weight });
      await traffic.setSplit({ stable, canary, canaryWeight: weight });
      const raced = await settledElsewhere(true);
      if (raced) return raced;
      if (weight === 100) {
        const routed = await confirmSplit(traffic, { stable, canary, canaryWeight: 100 });
        await status(deploymentId, 'success', describeStatus({ kind: 'promoted', version: config.version }));
        promoted = true;
        config.inflight(undefined);
        steps.push({ weight, at: new Date(clock.now()).toISOString(), outcome: 'promoted' });
        const retired = await retireReplaced(records, deploymentId);
        log(
          `Promoted ${config.version}: all traffic on ${routed}${retired.length ? `; marked ${retired.length} older deployment(s) inactive` : ''}.`,
        );
        return result('promoted', weight);
      }
      await status(
        deploymentId,
        'in_progress',
        describeStatus({
          kind: 'step',
          weight,
          version: config.version,
          stable: stable.version,
          checks: config.checks.length,
        }),
      );
      log(`Canary at ${weight}%: judging for ${rollout.intervalText}.`);
      const verdict = await analyseStep(config, { ...rollout, label: `${weight}%` }, judge, stable);
      if (verdict) return await abort(verdict, weight, 'at');
      steps.push({ weight, at: new Date(clock.now()).toISOString(), outcome: 'passed' });
      if (config.mode === 'start') {
        await status(deploymentId, 'in_progress', describeStatus({ kind: 'paused', weight }));
        config.inflight(undefined);
        log(`Paused at ${weight}% for a manual gate: run again with mode: promote or mode: abort.`);
        steps[steps.length - 1] = { ...(steps.at(-1) as StepRecord), outcome: 'paused' };
        return result('paused', weight);
      }
    }
  } catch (error) {
    // Cancellation is the post step's (the in-flight state is saved). Any other failure mid-way
    // puts the traffic back and settles the record here: never left in_progress.
    if (error instanceof Cancelled || promoted) throw error;
    let trafficNote: string;
    try {
      await traffic.setSplit({ stable, canary, canaryWeight: 0 });
      trafficNote = `traffic back on ${await confirmSplit(traffic, { stable, canary, canaryWeight: 0 })}`;
      config.inflight(undefined);
    } catch (restore) {
      trafficNote = `traffic NOT restored (${errorLine(restore)}): the post step tries again`;
    }
    await status(
      deploymentId,
      'error',
      describeStatus({ kind: 'failed', weight: at, error: errorLine(error), traffic: trafficNote }),
    ).catch(() => undefined);
    throw error;
  }
  throw new ActionError('steps must end at 100');
}
