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
import type { DeploymentRecord, EnvironmentState, ReleaseRecords } from '@rollgate/github';
import { readStatus } from './status-codec.js';
import { abortHint, isOpen, isRollout, rolloutName } from './state.js';

export interface Busy {
  record: DeploymentRecord;
  /** What it is, for log lines: "the canary of 1.2.0". */
  what: string;
  /** How a person settles it if its runner was lost. */
  settle: string;
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

/** How often the records are read while waiting: first after 3 s, then half as often again each time, at most every 30 s. */
export const QUIET_POLL_MS = 3000;
export const QUIET_POLL_MAX_MS = 30_000;

/**
 * The environment's state once `busy` finds nothing running in it; while it does, waits up to
 * `timeoutMs` (0: not at all), then fails with one line naming what is still running. Each poll
 * reads the state with conditional requests (a 304 costs nothing against the rate limit while
 * nothing changes) and the polls back off.
 */
export async function waitForQuiet(
  records: ReleaseRecords,
  busy: (records: DeploymentRecord[]) => Busy | undefined,
  options: {
    timeoutMs: number;
    purpose: string;
    logger: Logger;
    signal?: AbortSignal;
    pollMs?: number;
    clock?: Clock;
  },
): Promise<EnvironmentState> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  let said = 0;
  let poll = options.pollMs ?? QUIET_POLL_MS;
  for (;;) {
    const state = await records.state();
    const b = busy(state.records);
    if (!b) return state;
    const waited = clock.now() - started;
    if (waited >= options.timeoutMs) {
      throw new ActionError(
        `${b.what[0]?.toUpperCase()}${b.what.slice(1)} is still running in ${records.environment} (deployment ${b.record.id}: ${b.record.description || b.record.state})${options.timeoutMs ? ` after waiting ${formatDuration(waited)}` : ''}: the ${options.purpose} waits for it to finish (wait-timeout). If its runner was lost, settle it first: ${b.settle}.`,
      );
    }
    if (said !== b.record.id) {
      options.logger.info(
        `Waiting for ${b.what} (deployment ${b.record.id}: ${b.record.description || 'starting'}) to finish before the ${options.purpose}; up to ${formatDuration(options.timeoutMs)}.`,
      );
      said = b.record.id;
    }
    await clock.sleep(Math.min(poll, options.timeoutMs - waited), options.signal);
    poll = Math.min(Math.round(poll * 1.5), Math.max(options.pollMs ?? 0, QUIET_POLL_MAX_MS));
  }
}

/** A canary moving traffic now (not one paused at its manual gate, which waits for a person). */
export const runningCanary = (history: DeploymentRecord[]): Busy | undefined => {
  const r = history.find((x) => isRollout(x) && isOpen(x.state) && !readStatus(x.description).paused);
  return r ? { record: r, what: `the ${rolloutName(r)} of ${r.payload.version}`, settle: abortHint(r) } : undefined;
};

/** A rollback deploying now. */
export const runningRollback = (history: DeploymentRecord[]): Busy | undefined => {
  const r = history.find((x) => x.payload.kind === 'rollback' && isOpen(x.state));
  return r
    ? {
        record: r,
        what: `the rollback to ${r.payload.version}`,
        settle: `give deployment ${r.id} a failure status (the REST API), then run rollback.yml again`,
      }
    : undefined;
};
