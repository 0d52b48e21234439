/**
 * Waiting for an environment to be quiet. Deliveries (pipeline canaries) and operations
 * (rollback, promote, abort) are in separate concurrency groups, so a later pipeline run can
 * never cancel a pending rollback (GitHub keeps one pending run per group and cancels the
 * older one). They exclude each other here instead, on the deployment records: a rollback
 * waits for a running canary to settle, a canary waits for a running rollback.
 */
import {
  ActionError,
  InputError,
  formatDuration,
  systemClock,
  type Clock,
  type Inputs,
  type Logger,
} from '@rollgate/kit';
import type { DeploymentRecord, ReleaseRecords } from '@rollgate/github';
import { readStatus } from './status-codec.js';
import { isOpen, isRollout } from './state.js';

export interface Busy {
  record: DeploymentRecord;
  /** What it is, for log lines: "the canary of 1.2.0". */
  what: string;
}

/** The `wait-timeout` input of the canary and rollback actions: 0 fails at once, at most 6 hours. */
export function waitTimeoutFrom(inputs: Inputs): number {
  const ms = inputs.duration('wait-timeout', undefined, { allowZero: true });
  if (ms > 6 * 3_600_000)
    throw new InputError(
      'wait-timeout',
      'a duration from 0s to 6h (GitHub ends a job after 6 hours)',
      inputs.string('wait-timeout'),
    );
  return ms;
}

/** How often the records are read while waiting. */
export const QUIET_POLL_MS = 3000;

/**
 * The environment's history once `busy` finds nothing running in it; while it does, waits up
 * to `timeoutMs` (0: not at all), then fails with one line naming what is still running.
 */
export async function waitForQuiet(
  records: ReleaseRecords,
  busy: (history: DeploymentRecord[]) => Busy | undefined,
  options: {
    timeoutMs: number;
    purpose: string;
    logger: Logger;
    signal?: AbortSignal;
    limit?: number;
    pollMs?: number;
    clock?: Clock;
  },
): Promise<DeploymentRecord[]> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  let said = 0;
  for (;;) {
    const history = await records.history(options.limit);
    const b = busy(history);
    if (!b) return history;
    const waited = clock.now() - started;
    if (waited >= options.timeoutMs) {
      throw new ActionError(
        `${b.what[0]?.toUpperCase()}${b.what.slice(1)} is still running in ${records.environment} (deployment ${b.record.id}: ${b.record.description || b.record.state})${options.timeoutMs ? ` after waiting ${formatDuration(waited)}` : ''}: the ${options.purpose} waits for it to finish (wait-timeout). If its runner was lost, settle it first (canary mode: abort).`,
      );
    }
    if (said !== b.record.id) {
      options.logger.info(
        `Waiting for ${b.what} (deployment ${b.record.id}: ${b.record.description || 'starting'}) to finish before the ${options.purpose}; up to ${formatDuration(options.timeoutMs)}.`,
      );
      said = b.record.id;
    }
    await clock.sleep(Math.min(options.pollMs ?? QUIET_POLL_MS, options.timeoutMs - waited), options.signal);
  }
}

/** A canary moving traffic now (not one paused at its manual gate, which waits for a person). */
export const runningCanary = (history: DeploymentRecord[]): Busy | undefined => {
  const r = history.find((x) => isRollout(x) && isOpen(x.state) && !readStatus(x.description).paused);
  return r
    ? { record: r, what: `the ${r.payload.kind === 'phased' ? 'phased release' : 'canary'} of ${r.payload.version}` }
    : undefined;
};

/** A rollback deploying now. */
export const runningRollback = (history: DeploymentRecord[]): Busy | undefined => {
  const r = history.find((x) => x.payload.kind === 'rollback' && isOpen(x.state));
  return r ? { record: r, what: `the rollback to ${r.payload.version}` } : undefined;
};
