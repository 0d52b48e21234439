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
import type { ArtifactRef, PhasedPause } from '@rollgate/github';
import { abortPhased, findOpenPhased, requirePaused } from './gate.js';
import type { Target } from '../fleet/plan.js';
import { restorePrevious, waitHealthy } from '../fleet/restore.js';
import { openPhasedRecord } from './start.js';
import type { BatchRecord, PhasedConfig, PhasedInflight, PhasedResult, Release } from './types.js';
import { describeStatus, readBatch } from '../records/status-codec.js';
import { retireReplaced } from '../records/state.js';
import { analyseStep } from '../judging/step.js';

export type {
  BatchRecord,
  Deployer,
  PhasedConfig,
  PhasedInflight,
  PhasedMode,
  PhasedResult,
  Release,
} from './types.js';
export { restorePrevious, waitHealthy, type RestorePorts } from '../fleet/restore.js';

const names = (targets: Target[]) => targets.map((t) => t.name);

/** The roll back of a failed batch failed too: nothing more to try here, the error goes up as it is. */
class RollbackFailed extends ActionError {}

/** What the batches run from: the record, the plan and where it stands (a new release, or one continued at its gate). */
interface Course {
  deploymentId: number;
  previous?: Release;
  batches: Target[][];
  intervalMs: number;
  pause: PhasedPause;
  /** Batches already finished by an earlier run (continue). */
  done: number;
  artifact?: ArtifactRef;
}

/**
 * A phased release: mode run opens a record and goes from the first batch; continue goes on
 * from where the release paused at its gate; abort puts the previous release back (phased-gate.ts).
 */
export async function runPhased(config: PhasedConfig): Promise<PhasedResult> {
  const mode = config.mode ?? 'run';
  if (mode === 'run') {
    const batches = config.batches;
    if (!batches?.length || config.intervalMs === undefined)
      throw new ActionError('A phased release needs its batches and interval.');
    const opened = await openPhasedRecord({ ...config, batches, intervalMs: config.intervalMs }, batches.flat());
    return runBatches(config, {
      ...opened,
      batches,
      intervalMs: config.intervalMs,
      pause: config.pause ?? 'auto',
      done: 0,
      ...(config.artifact ? { artifact: config.artifact } : {}),
    });
  }
  const found = await findOpenPhased(config);
  if (mode === 'abort') return abortPhased(config, found);
  requirePaused(found, config.records);
  await config.fleet.check(found.batches.flat());
  const { done, batches } = found;
  await config.records.status(
    found.record.id,
    'in_progress',
    describeStatus({ kind: 'phased-continuing', index: done, count: batches.length, version: config.version }),
    config.logUrl ? { logUrl: config.logUrl } : {},
  );
  config.logger.info(
    `Continuing the phased release of ${config.version} (deployment ${found.record.id}) after batch ${done}/${batches.length}.`,
  );
  return runBatches(config, { ...found, deploymentId: found.record.id });
}

async function runBatches(config: PhasedConfig, course: Course): Promise<PhasedResult> {
  const clock = config.clock ?? systemClock;
  const { records, fleet, deployer, logger } = config;
  const startedAt = clock.now();
  const { deploymentId, previous } = course;
  const targets = course.batches.flat();
  const count = course.batches.length;
  const onNew = () => changed.map((t) => t.name);
  const status = (state: 'in_progress' | 'success' | 'failure' | 'error', text: string) =>
    records.status(deploymentId, state, text, config.logUrl ? { logUrl: config.logUrl } : {});

  const judge = new Judge(config.checks, {
    failureLimit: config.failureLimit,
    inconclusiveLimit: config.inconclusiveLimit,
    alpha: config.alpha ?? 0.05,
    waitForData: config.minRequests !== undefined,
  });
  const stable = { version: previous?.version ?? 'none' };
  // A continued release starts with the batches its earlier runs finished on the new version.
  const changed: Target[] = course.batches.slice(0, course.done).flat();
  const batches: BatchRecord[] = course.batches
    .slice(0, course.done)
    .map((b, i) => ({ index: i + 1, targets: names(b), outcome: 'released' }));
  let state: PhasedInflight = {
    deploymentId,
    version: config.version,
    changed,
    drained: [],
    batch: { index: course.done, count },
  };
  if (previous) state.previous = previous;
  const save = (patch: Partial<PhasedInflight>) => {
    state = { ...state, ...patch, changed: [...changed] };
    config.inflight(state);
  };

  /** Stops the release: the previous release back on every changed target, the record settled. */
  const rollBack = async (index: number, reason: string, verdict?: Verdict): Promise<PhasedResult> => {
    const elsewhere = await abortedByHand();
    if (elsewhere) return elsewhere;
    logger.warning(`Batch ${index}/${count} failed: ${reason}. Rolling back ${changed.length} target(s).`);
    batches.push({ index, targets: names(course.batches[index - 1] ?? []), outcome: 'failed', reason });
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
    return result('rolled-back', verdict ?? { check: 'deploy', reason });
  };

  /**
   * An abort by hand (promote.yml) took this release over: it puts the previous release back
   * itself, so this run stops where it is and changes nothing more.
   */
  const abortedByHand = async (): Promise<PhasedResult | undefined> => {
    const recent = await records.statuses(deploymentId);
    const by = recent.find((s) => s.state !== 'in_progress' || readBatch(s.description)?.aborting);
    if (!by) return undefined;
    config.inflight(undefined);
    logger.warning(`The phased release of ${config.version} was aborted by hand (${by.description}): stopping here.`);
    return result('aborted', { check: 'manual', reason: `aborted by hand: ${by.description}` });
  };
  const result = (outcome: PhasedResult['outcome'], verdict?: Verdict): PhasedResult => ({
    outcome,
    deploymentId,
    plan: course.batches,
    onNew: outcome === 'released' || outcome === 'paused' ? onNew() : [],
    ...(previous ? { previous: previous.version } : {}),
    batches,
    ...(verdict ? { verdict } : {}),
    readings: judge.log,
    startedAt,
    endedAt: clock.now(),
  });

  for (const [i, batch] of course.batches.entries()) {
    const index = i + 1;
    if (index <= course.done) continue;
    try {
      const stopped = await abortedByHand();
      if (stopped) return stopped;
      save({ drained: batch, batch: { index, count } });
      await fleet.drain(batch);
      for (const t of batch) {
        const stop = await abortedByHand();
        if (stop) return stop;
        changed.push(t);
        save({});
        logger.info(`Deploying ${config.version} to ${t.name} (${t.address}).`);
        try {
          await deployer.deploy(t, {
            version: config.version,
            ...(course.artifact ? { artifact: course.artifact } : {}),
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
      const stop = await abortedByHand();
      if (stop) return stop;
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
        `Batch ${index}/${count}: ${names(batch).join(', ')} on ${config.version} (${changed.length} of ${targets.length}); judging for ${formatDuration(course.intervalMs)}.`,
      );
      // Without checks the batch still bakes for the interval (a crash or a failed health check
      // shows in the next batch's health), as a pause between batches.
      let verdict: Verdict | undefined;
      if (config.checks.length)
        verdict = await analyseStep(
          config,
          // The batch just went back in: early looks each scrape catch a bad version sooner.
          { intervalMs: course.intervalMs, label: `batch ${index}`, earlyLookMs: config.scrapeIntervalMs ?? 15_000 },
          judge,
          stable,
        );
      else await clock.sleep(course.intervalMs, config.signal);
      if (verdict) return await rollBack(index, verdict.reason, verdict);
      batches.push({ index, targets: names(batch), outcome: 'released' });
      // The manual gate: the release waits, settled for now, for promote.yml to continue or abort it.
      const gate = course.pause === 'manual' || (course.pause === 'first' && index === 1 && course.done === 0);
      if (gate && index < count) {
        const elsewhere = await abortedByHand();
        if (elsewhere) return elsewhere;
        await status(
          'in_progress',
          describeStatus({
            kind: 'phased-paused',
            index,
            count,
            changed: changed.length,
            total: targets.length,
            version: config.version,
          }),
        );
        config.inflight(undefined);
        logger.info(
          `Paused after batch ${index}/${count} for the manual gate: continue with promote.yml (kind: phased, action: promote) or abort (action: abort).`,
        );
        return result('paused');
      }
    } catch (error) {
      // Cancellation is the post step's (the in-flight state is saved).
      if (error instanceof Cancelled) throw error;
      if (error instanceof RollbackFailed) throw error;
      return await rollBack(index, errorLine(error));
    }
  }
  const elsewhere = await abortedByHand();
  if (elsewhere) return elsewhere;
  await status('success', describeStatus({ kind: 'released', version: config.version, total: targets.length }));
  config.inflight(undefined);
  const retired = await retireReplaced(records, deploymentId);
  logger.info(
    `Released ${config.version} on all ${targets.length} targets${retired.length ? `; marked ${retired.length} older deployment(s) inactive` : ''}.`,
  );
  return result('released');
}
