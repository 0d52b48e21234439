/**
 * The start races between a canary and a rollback. Each waits for the other to be quiet, then
 * creates its record; both can read "quiet" at the same moment. After creating its record each
 * reads the records again: of a canary and a rollback open together, the lower deployment id
 * (created first) goes on and the other withdraws its record, waits, and starts again.
 */
import type { DeploymentRecord } from '@rollgate/github';
import { isOpen, isRollout } from './state.js';

/** An open rollback created before record `mine`: the canary that made `mine` yields to it. */
export const earlierRollback = (mine: number, history: DeploymentRecord[]): DeploymentRecord | undefined =>
  history.find((r) => r.id < mine && r.payload.kind === 'rollback' && isOpen(r.state));

/** An open canary created before rollback record `mine`: the rollback yields to it. */
export const earlierCanary = (mine: number, history: DeploymentRecord[]): DeploymentRecord | undefined =>
  history.find((r) => r.id < mine && isRollout(r) && isOpen(r.state));
