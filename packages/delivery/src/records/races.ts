/**
 * The start races between a rollout (canary, phased release) and a rollback. Each waits for the
 * other to be quiet, then creates its record; both can read "quiet" at the same moment. After
 * creating its record each reads the records again: of a rollout and a rollback open together,
 * the lower deployment id (created first) goes on; the other keeps its record (a run attempt
 * writes one record per environment), marks it waiting, waits for the first to settle, and then
 * goes on only if what it recorded still holds, else withdraws with one line to run it again.
 */
import { ActionError, type Clock, type Logger } from '@rollgate/kit';
import type { DeploymentRecord, EnvironmentState, ReleaseRecords } from '@rollgate/github';
import { waitForQuiet, type Busy } from './quiet.js';
import { describeStatus } from './status-codec.js';
import { isOpen, isRollout, rolloutName } from './state.js';

/** An open rollback created before record `mine`: the rollout that made `mine` yields to it. */
export const earlierRollback = (mine: number, records: DeploymentRecord[]): DeploymentRecord | undefined =>
  records.find((r) => r.id < mine && r.payload.kind === 'rollback' && isOpen(r.state));

/** An open rollout created before rollback record `mine`: the rollback yields to it. */
export const earlierCanary = (mine: number, records: DeploymentRecord[]): DeploymentRecord | undefined =>
  records.find((r) => r.id < mine && isRollout(r) && isOpen(r.state));

export interface Yield {
  records: ReleaseRecords;
  /** This run's record. */
  mine: number;
  /** The record that got there first. */
  winner: DeploymentRecord;
  /** What this run waits for while the winner runs. */
  busy: (records: DeploymentRecord[]) => Busy | undefined;
  purpose: string;
  timeoutMs: number;
  logger: Logger;
  clock?: Clock;
  signal?: AbortSignal;
  /** Why this run cannot go on as recorded once the winner settled, or undefined to go on. */
  changed: (now: EnvironmentState) => string | undefined;
}

/** Waits for the winner of a start race to settle; the state to go on from, or a withdrawal (the record closed, one line thrown). */
export async function yieldTo(y: Yield): Promise<EnvironmentState> {
  const what =
    y.winner.payload.kind === 'rollback'
      ? `the rollback to ${y.winner.payload.version}`
      : `the ${rolloutName(y.winner)} of ${y.winner.payload.version}`;
  await y.records.status(y.mine, 'queued', describeStatus({ kind: 'waiting-for', winner: y.winner.id, what }));
  y.logger.info(
    `${what[0]?.toUpperCase()}${what.slice(1)} (deployment ${y.winner.id}) started at the same time and got there first: this ${y.purpose} waits for it before changing anything.`,
  );
  const now = await waitForQuiet(y.records, y.busy, {
    timeoutMs: y.timeoutMs,
    purpose: y.purpose,
    logger: y.logger,
    ...(y.clock ? { clock: y.clock } : {}),
    ...(y.signal ? { signal: y.signal } : {}),
  }).catch(async (error: unknown) => {
    await y.records.status(
      y.mine,
      'error',
      describeStatus({ kind: 'withdrawn', reason: `${what} did not settle in time` }),
    );
    throw error;
  });
  const why = y.changed(now);
  if (!why) return now;
  await y.records.status(y.mine, 'error', describeStatus({ kind: 'withdrawn', reason: why }));
  throw new ActionError(
    `This ${y.purpose} waited for ${what} (deployment ${y.winner.id}), which started first, and ${why}: it withdrew its record ${y.mine} before changing anything. Run it again to start over what is live now.`,
  );
}
