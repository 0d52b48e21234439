/**
 * The manual gate of a phased release (promote.yml, the phased action with mode continue or
 * abort): the open release of a version read back from its record (the plan it started with,
 * the batches it finished, what a roll back goes back to), and the abort by hand.
 *
 * An abort also takes over a release that is not paused: one whose runner was lost (its record
 * would stay in_progress forever), or one moving now. It first writes `aborting after batch i/n`,
 * which the moving run reads before each target and each batch and stops on; and it puts the
 * previous release back on the batch after the last one finished too, which may be half done.
 */
import { ActionError, errorLine, systemClock } from '@rollgate/kit';
import type { ArtifactRef, DeploymentRecord } from '@rollgate/github';
import { isRollout, liveRecord } from '../records/state.js';
import type { Target } from '../fleet/plan.js';
import { restorePrevious } from '../fleet/restore.js';
import type { PhasedConfig, PhasedInflight, PhasedResult, Release } from './types.js';
import { describeStatus, readBatch } from '../records/status-codec.js';

/** A phased release read back from its record. */
export interface OpenPhased {
  record: DeploymentRecord;
  batches: Target[][];
  intervalMs: number;
  pause: 'auto' | 'manual' | 'first';
  /** Batches finished (on the new version and back in the load balancer). */
  done: number;
  paused: boolean;
  previous?: Release;
  artifact?: ArtifactRef;
}

/** The open phased release of `config.version`, with its plan, or one line saying why there is none to act on. */
export async function findOpenPhased(config: Pick<PhasedConfig, 'records' | 'version'>): Promise<OpenPhased> {
  const { records, version } = config;
  const env = records.environment;
  const state = await records.state();
  const open = state.open.find((r) => r.payload.version === version && isRollout(r));
  if (!open)
    throw new ActionError(
      `No phased release of ${version} is in progress in ${env}: start one with the phased action (pause: manual or first).`,
    );
  if (open.payload.kind !== 'phased')
    throw new ActionError(
      `The rollout of ${version} in ${env} (deployment ${open.id}) is a ${open.payload.kind ?? 'deploy'}, not a phased release: run promote.yml with kind: canary.`,
    );
  const plan = open.payload.phased;
  if (!plan)
    throw new ActionError(
      `The phased release of ${version} (deployment ${open.id}) records no batch plan (started by an earlier rollgate): it cannot be continued or aborted from its record.`,
    );
  const batches = plan.batches;
  const at = readBatch(open.description);
  const live = liveRecord(state.records, version);
  if (open.payload.stable && live?.payload.version !== open.payload.stable)
    throw new ActionError(
      `The phased release of ${version} started over ${open.payload.stable}, but ${live ? `${live.payload.version} (deployment ${live.id})` : 'nothing'} is live in ${env} now: the records disagree; nothing was changed.`,
    );
  return {
    record: open,
    batches,
    intervalMs: plan.interval_ms,
    pause: plan.pause,
    done: Math.min(at?.done ?? 0, batches.length),
    paused: at?.paused ?? false,
    ...(live
      ? {
          previous: {
            version: live.payload.version,
            ...(live.payload.artifact ? { artifact: live.payload.artifact } : {}),
          },
        }
      : {}),
    ...(open.payload.artifact ? { artifact: open.payload.artifact } : {}),
  };
}

/** Continue needs the release waiting at its gate; anything else is moving, or was left by a lost runner. */
export function requirePaused(found: OpenPhased, records: { environment: string }): void {
  if (found.paused) return;
  const { record } = found;
  throw new ActionError(
    `The phased release of ${record.payload.version} in ${records.environment} (deployment ${record.id}) is not paused at its gate (${record.description || record.state}): it is moving now, or its runner was lost; abort it with action: abort.`,
  );
}

/**
 * What an abort puts back: the finished batches, and, when the release is not paused, the
 * batch after them, which may be half changed (or its runner lost mid-way). Restored last to
 * first (restorePrevious), so that batch goes last: a deploy a moving run had started on it
 * has had the longest time to finish before it is undone.
 */
export function abortScope(found: OpenPhased): { reach: number; changed: Target[] } {
  const reach = found.paused ? found.done : Math.min(found.done + 1, found.batches.length);
  const changed = [...found.batches.slice(found.done, reach).flat(), ...found.batches.slice(0, found.done).flat()];
  return { reach, changed };
}

/** Aborts by hand: the previous release back on every target the release changed (or may have), the record settled. */
export async function abortPhased(config: PhasedConfig, found: OpenPhased): Promise<PhasedResult> {
  const clock = config.clock ?? systemClock;
  const startedAt = clock.now();
  const { records, logger } = config;
  const deploymentId = found.record.id;
  const count = found.batches.length;
  const index = found.done;
  const { reach, changed } = abortScope(found);
  const previous = found.previous?.version ?? 'none';
  await records.status(
    deploymentId,
    'in_progress',
    describeStatus({ kind: 'phased-aborting', index, count, previous }),
  );
  const state: PhasedInflight = {
    deploymentId,
    version: config.version,
    changed,
    drained: found.paused ? [] : (found.batches[found.done] ?? []),
    batch: { index, count },
    ...(found.previous ? { previous: found.previous } : {}),
  };
  config.inflight(state);
  logger.info(
    `Aborting the phased release of ${config.version} after batch ${index}/${count}: ${changed.length} target(s) go back to ${previous}.`,
  );
  try {
    await restorePrevious(state, config);
  } catch (error) {
    await records.status(
      deploymentId,
      'error',
      describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }),
    );
    config.inflight(undefined);
    throw new ActionError(
      `The abort of ${config.version} failed: ${errorLine(error)}. Targets ${changed.map((t) => t.name).join(', ')} may still run ${config.version}.`,
    );
  }
  await records.status(
    deploymentId,
    'failure',
    describeStatus({ kind: 'phased-aborted', index, count, changed: changed.length, previous }),
  );
  config.inflight(undefined);
  return {
    outcome: 'aborted',
    deploymentId,
    plan: found.batches,
    onNew: [],
    ...(found.previous ? { previous: found.previous.version } : {}),
    batches: found.batches.slice(0, reach).map((b, i) => ({
      index: i + 1,
      targets: b.map((t) => t.name),
      outcome: 'failed',
      reason: 'aborted by hand',
    })),
    verdict: { check: 'manual', reason: 'aborted by hand' },
    readings: [],
    startedAt,
    endedAt: clock.now(),
  };
}
