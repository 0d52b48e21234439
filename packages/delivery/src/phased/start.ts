/** Opening a phased release's record, and its start races (see records/races.ts). */
import { ActionError, systemClock } from '@rollgate/kit';
import type { EnvironmentState } from '@rollgate/github';
import { liveRecord, openOfThisVersion, raceWinner, rolloutName } from '../records/state.js';
import type { Target } from '../fleet/plan.js';
import type { PhasedConfig, Release } from './types.js';
import { runningRollback, waitForQuiet } from '../records/quiet.js';
import { earlierRollback, yieldTo } from '../records/races.js';
import { describeStatus } from '../records/status-codec.js';

/**
 * What a failure of this release goes back to: the live release, which must record its
 * original artifact. With no trusted live release but untrusted records (or a live release the
 * records named that is gone), nothing: that is not a first release. The one place a phased
 * start (and its dry run) decides it.
 */
export function rollbackTarget(state: EnvironmentState, version: string): Release | undefined {
  const live = liveRecord(state.records, version);
  if (live && !live.payload.artifact?.digest) {
    throw new ActionError(
      `The live release ${live.payload.version} (deployment ${live.id}) records no artifact digest: a phased release could not roll back to it from its original artifact. Deploy it once through the pipeline first.`,
    );
  }
  if (!live && state.lost)
    throw new ActionError(
      `No trusted live release in ${state.environment}, but ${state.lost}: a phased release will not start without something to roll back to.`,
    );
  if (!live && state.refused.length) {
    throw new ActionError(
      `No trusted live release in ${state.environment}, and ${state.refused.length} record(s) there are not trusted: a phased release will not start without something to roll back to.`,
    );
  }
  return live
    ? { version: live.payload.version, ...(live.payload.artifact ? { artifact: live.payload.artifact } : {}) }
    : undefined;
}

/**
 * Opens the release's record: waits for a rollback deploying now, closes this run's abandoned
 * attempt, decides what a failure goes back to (the live release, which must have its original
 * artifact), checks the fleet, creates the record, then settles the start races (records/races.ts):
 * an earlier rollout stops this one; an earlier rollback makes it wait with its record and go on
 * only if what it would go back to is still live.
 */
export async function openPhasedRecord(
  config: PhasedConfig & { batches: Target[][]; intervalMs: number },
  targets: Target[],
): Promise<{ deploymentId: number; previous?: Release }> {
  const clock = config.clock ?? systemClock;
  const { records, fleet, logger } = config;
  const wait = {
    timeoutMs: config.waitTimeoutMs ?? 0,
    logger,
    clock,
    ...(config.signal ? { signal: config.signal } : {}),
  };
  const state = await waitForQuiet(records, runningRollback, {
    ...wait,
    purpose: `phased release of ${config.version}`,
  });
  // A re-run of this job (a later attempt of the same run) closes its abandoned record and starts
  // again from the first batch; any other open rollout stops this one before anything changes.
  const closed: number[] = [];
  for (const r of openOfThisVersion(config, state)) {
    closed.push(r.id);
    await records.status(r.id, 'error', describeStatus({ kind: 'phased-abandoned', version: config.version }));
    logger.info(
      `A previous attempt left the phased release of ${config.version} open (deployment ${r.id}): closed it, starting again from the first batch.`,
    );
  }
  const previous = rollbackTarget(state, config.version);
  await fleet.check(targets);
  const deploymentId = await records.create(
    config.ref,
    {
      ...config.payload,
      version: config.version,
      kind: 'phased',
      ...(previous ? { stable: previous.version } : {}),
      // The plan, so promote.yml can continue (or abort) the release from its record.
      phased: { batches: config.batches, interval_ms: config.intervalMs, pause: config.pause ?? 'auto' },
      ...(config.artifact ? { artifact: config.artifact } : {}),
      ...(config.run ? { run: config.run } : {}),
    },
    `phased release of ${config.version}`,
    state,
  );
  const now = await records.state();
  const rival = raceWinner(deploymentId, now.records, closed);
  if (rival) {
    await records.status(
      deploymentId,
      'error',
      describeStatus({ kind: 'lost-race', winner: rival.id, version: rival.payload.version }),
    );
    throw new ActionError(
      `A ${rolloutName(rival)} of ${rival.payload.version} (deployment ${rival.id}) started in ${records.environment} at the same time and got there first: this run withdrew before changing any target.`,
    );
  }
  const rollback = earlierRollback(deploymentId, now.records);
  if (rollback)
    await yieldTo({
      ...wait,
      records,
      mine: deploymentId,
      winner: rollback,
      busy: runningRollback,
      purpose: `phased release of ${config.version}`,
      changed: (after) => {
        const live = liveRecord(after.records, config.version);
        return live?.payload.version === previous?.version &&
          live?.payload.artifact?.digest === previous?.artifact?.digest
          ? undefined
          : `${live ? live.payload.version : 'nothing'} is live now, not the release it recorded to go back to (${previous?.version ?? 'none'})`;
      },
    });
  return { deploymentId, ...(previous ? { previous } : {}) };
}
