/**
 * The phased release: the new version goes onto the targets of a fleet batch by batch (in
 * place, as CodeDeploy's in-place deployments and Kubernetes' rolling updates do). Each batch:
 * take its targets out of the load balancer (drain), deploy, wait until each answers, put them
 * back, judge the metrics for the interval (the new version's targets against the old ones).
 * A failed deploy, health check or judgement stops the release: every target already changed
 * gets the previous release again, from its original artifact, and goes back in; the record
 * says why. Every batch is a deployment status, so the Deployments page shows which targets
 * run which version.
 */
import { ActionError, Cancelled, errorLine, formatDuration, systemClock } from '@rollgate/kit';
import { Judge, type Verdict } from '@rollgate/analysis';
import { canaryAnswers } from './alive.js';
import type { Target } from './phased-plan.js';
import { openPhasedRecord } from './phased-start.js';
import type { BatchRecord, PhasedConfig, PhasedInflight, PhasedResult } from './phased-types.js';
import { describeStatus } from './status-codec.js';
import { analyseStep } from './step-analysis.js';

export type { BatchRecord, Deployer, PhasedConfig, PhasedInflight, PhasedResult, Release } from './phased-types.js';

const names = (targets: Target[]) => targets.map((t) => t.name);

/** The roll back of a failed batch failed too: nothing more to try here, the error goes up as it is. */
class RollbackFailed extends ActionError {}

/** Waits until every target answers (health URL or TCP), up to the health timeout. */
async function waitHealthy(config: PhasedConfig, targets: Target[]): Promise<string | undefined> {
  const clock = config.clock ?? systemClock;
  const until = clock.now() + (config.healthTimeoutMs ?? 60_000);
  for (const t of targets) {
    const healthUrl = config.healthUrl?.replaceAll('{address}', t.address);
    for (;;) {
      const why = config.probe
        ? await config.probe(t, healthUrl)
        : await canaryAnswers({ address: t.address, ...(healthUrl ? { healthUrl } : {}) }, 5000, config.signal);
      if (!why) break;
      if (clock.now() >= until)
        return `${t.name} does not answer ${formatDuration(config.healthTimeoutMs ?? 60_000)} after its deploy: ${why}`;
      await clock.sleep(1000, config.signal);
    }
  }
  return undefined;
}

/** What putting a release back on targets needs: the load balancer, the deployer and the health check. */
export type RestorePorts = Pick<
  PhasedConfig,
  'fleet' | 'deployer' | 'logger' | 'healthUrl' | 'healthTimeoutMs' | 'probe' | 'clock' | 'signal'
>;

/** Puts `previous` back on the changed targets, one by one, and each back in the load balancer. */
export async function restorePrevious(state: PhasedInflight, ports: RestorePorts): Promise<void> {
  const { fleet, deployer, logger } = ports;
  if (!state.previous) {
    // A first release has nothing to go back to: the changed targets stay out of the load balancer.
    await fleet.drain(state.changed);
    logger.warning(
      `No earlier release to go back to: ${names(state.changed).join(', ')} stay out of the load balancer.`,
    );
    return;
  }
  for (const t of [...state.changed].reverse()) {
    await fleet.drain([t]);
    await deployer.deploy(t, state.previous);
    const why = await waitHealthy(ports as PhasedConfig, [t]);
    if (why) throw new ActionError(`roll back to ${state.previous.version}: ${why}`);
    await fleet.ready([t]);
    logger.info(`${t.name} is back on ${state.previous.version}.`);
  }
  // Targets drained but never changed (the batch stopped before their deploy) go back in too.
  const rest = state.drained.filter((d) => !state.changed.some((c) => c.name === d.name));
  if (rest.length) await fleet.ready(rest);
}

export async function runPhased(config: PhasedConfig): Promise<PhasedResult> {
  const clock = config.clock ?? systemClock;
  const { records, fleet, deployer, logger } = config;
  const startedAt = clock.now();
  const targets = config.batches.flat();
  const count = config.batches.length;

  const { deploymentId, previous } = await openPhasedRecord(config, targets);
  const status = (state: 'in_progress' | 'success' | 'failure' | 'error', text: string) =>
    records.status(deploymentId, state, text, config.logUrl ? { logUrl: config.logUrl } : {});

  const judge = new Judge(config.checks, {
    failureLimit: config.failureLimit,
    inconclusiveLimit: config.inconclusiveLimit,
    alpha: config.alpha ?? 0.05,
    waitForData: config.minRequests !== undefined,
  });
  const stable = { version: previous?.version ?? 'none' };
  const changed: Target[] = [];
  const batches: BatchRecord[] = [];
  let state: PhasedInflight = {
    deploymentId,
    version: config.version,
    changed,
    drained: [],
    batch: { index: 0, count },
  };
  if (previous) state.previous = previous;
  const save = (patch: Partial<PhasedInflight>) => {
    state = { ...state, ...patch, changed: [...changed] };
    config.inflight(state);
  };

  /** Stops the release: the previous release back on every changed target, the record settled. */
  const rollBack = async (index: number, reason: string, verdict?: Verdict): Promise<PhasedResult> => {
    logger.warning(`Batch ${index}/${count} failed: ${reason}. Rolling back ${changed.length} target(s).`);
    batches.push({ index, targets: names(config.batches[index - 1] ?? []), outcome: 'failed', reason });
    try {
      await restorePrevious({ ...state, changed: [...changed] }, config);
    } catch (error) {
      await status('error', describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }));
      throw new RollbackFailed(
        `Batch ${index}/${count} failed (${reason}) and the roll back failed too: ${errorLine(error)}. Targets ${names(changed).join(', ')} may still run ${config.version}.`,
      );
    }
    await status(
      'failure',
      describeStatus({
        kind: 'rolled-back',
        index,
        count,
        changed: changed.length,
        previous: previous?.version ?? 'none',
        reason,
      }),
    );
    config.inflight(undefined);
    return {
      outcome: 'rolled-back',
      deploymentId,
      ...(previous ? { previous: previous.version } : {}),
      batches,
      verdict: verdict ?? { check: 'deploy', reason },
      readings: judge.log,
      startedAt,
      endedAt: clock.now(),
    };
  };

  for (const [i, batch] of config.batches.entries()) {
    const index = i + 1;
    try {
      save({ drained: batch, batch: { index, count } });
      await fleet.drain(batch);
      for (const t of batch) {
        changed.push(t);
        save({});
        logger.info(`Deploying ${config.version} to ${t.name} (${t.address}).`);
        try {
          await deployer.deploy(t, {
            version: config.version,
            ...(config.artifact ? { artifact: config.artifact } : {}),
          });
        } catch (error) {
          if (error instanceof Cancelled) throw error;
          return await rollBack(index, `deploy to ${t.name} failed: ${errorLine(error)}`);
        }
      }
      const unhealthy = await waitHealthy(config, batch);
      if (unhealthy) return await rollBack(index, unhealthy, { check: 'health', reason: unhealthy });
      await fleet.ready(batch);
      save({ drained: [] });
      await status(
        'in_progress',
        describeStatus({
          kind: 'batch',
          index,
          count,
          version: config.version,
          changed: changed.length,
          total: targets.length,
          targets: names(batch),
        }),
      );
      logger.info(
        `Batch ${index}/${count}: ${names(batch).join(', ')} on ${config.version} (${changed.length} of ${targets.length}); judging for ${formatDuration(config.intervalMs)}.`,
      );
      // Without checks the batch still bakes for the interval (a crash or a failed health check
      // shows in the next batch's health), as a pause between batches.
      let verdict: Verdict | undefined;
      if (config.checks.length)
        verdict = await analyseStep(config, { intervalMs: config.intervalMs, label: `batch ${index}` }, judge, stable);
      else await clock.sleep(config.intervalMs, config.signal);
      if (verdict) return await rollBack(index, verdict.reason, verdict);
      batches.push({ index, targets: names(batch), outcome: 'released' });
    } catch (error) {
      // Cancellation is the post step's (the in-flight state is saved).
      if (error instanceof Cancelled) throw error;
      if (error instanceof RollbackFailed) throw error;
      return await rollBack(index, errorLine(error));
    }
  }
  await status('success', describeStatus({ kind: 'released', version: config.version, total: targets.length }));
  config.inflight(undefined);
  const retired = await records.retireOthers(deploymentId);
  logger.info(
    `Released ${config.version} on all ${targets.length} targets${retired.length ? `; marked ${retired.length} older deployment(s) inactive` : ''}.`,
  );
  return {
    outcome: 'released',
    deploymentId,
    ...(previous ? { previous: previous.version } : {}),
    batches,
    readings: judge.log,
    startedAt,
    endedAt: clock.now(),
  };
}
