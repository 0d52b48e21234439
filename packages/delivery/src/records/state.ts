/**
 * What the records say of an environment, as every rollout reads it: which records are open
 * (a rollout or a rollback not settled), what is live, and the start races between rollouts.
 */
import { ActionError } from '@rollgate/kit';
import type { Backend } from '@rollgate/traffic';
import type { DeploymentRecord, ReleaseRecords } from '@rollgate/github';

/** A canary record with no status yet was just created by a run that is starting: it is open too. */
export const isOpen = (state: string) =>
  state === 'in_progress' || state === 'queued' || state === 'pending' || state === 'none';

/** The records of a rollout moving a new version in: a canary (a traffic share) or a phased release (batches). */
export const isRollout = (r: DeploymentRecord) => r.payload.kind === 'canary' || r.payload.kind === 'phased';

export const rolloutName = (r: DeploymentRecord) => (r.payload.kind === 'phased' ? 'phased release' : 'canary');

/** How a person settles an open rollout (promote.yml runs both kinds' gates). */
export const settleHint = (r: DeploymentRecord) =>
  r.payload.kind === 'phased'
    ? 'continue or abort it with promote.yml (kind: phased, action: promote or abort)'
    : 'finish it with mode: promote or mode: abort (promote.yml)';

/** Rollouts not settled yet (canaries and phased releases): paused at a gate, running, or left by a lost runner. */
export const openCanaries = (history: DeploymentRecord[]): DeploymentRecord[] =>
  history.filter((r) => isRollout(r) && isOpen(r.state));

/**
 * What is live in an environment: the newest trusted record whose latest status is success
 * (optionally other than `except`, the version being rolled out). The one place this is decided.
 */
export const liveRecord = (history: DeploymentRecord[], except?: string): DeploymentRecord | undefined =>
  history.find((r) => r.state === 'success' && (except === undefined || r.payload.version !== except));

/**
 * No trusted stable release, but untrusted records exist: that is not a first release (which
 * would go to 100% without a comparison). A record copied onto the stable's run, or a history
 * of records the suite cannot trace, must never switch the analysis off.
 */
export function refuseUntrustedFirstRelease(current: Backend | undefined, records: ReleaseRecords): void {
  if (current || !records.refused.length) return;
  const list = records.refused
    .slice(0, 3)
    .map((r) => `deployment ${r.id}: ${r.why}`)
    .join('; ');
  throw new ActionError(
    `No trusted stable release in ${records.environment}, and ${records.refused.length} record(s) there are not trusted (${list}). Rollgate will not treat this as a first release; name the stable with stable-version (and stable-address) to go on.`,
  );
}

/**
 * Before a new canary: any other open canary (paused at its gate, running, or left by a lost
 * runner) stops this run, since moving traffic now would silently drop it. The exception is a
 * re-run of this very job (same workflow run, an earlier attempt): its record is returned, to
 * be closed as abandoned and restarted from the first step.
 */
export function openOfThisVersion(
  config: { version: string; run?: { id: string; attempt: number }; records: ReleaseRecords },
  history: DeploymentRecord[],
): DeploymentRecord[] {
  const open = openCanaries(history);
  const isRerun = (r: DeploymentRecord) =>
    r.payload.version === config.version &&
    config.run !== undefined &&
    r.payload.run?.id === config.run.id &&
    (r.payload.run?.attempt ?? 0) < config.run.attempt;
  const other = open.find((r) => !isRerun(r));
  if (other) {
    throw new ActionError(
      `A ${rolloutName(other)} of ${other.payload.version} is still in progress in ${config.records.environment} (deployment ${other.id}: ${other.description}): ${settleHint(other)} first.`,
    );
  }
  return open;
}

/**
 * After this run created its record: of the canaries open at once, the lowest deployment id
 * wins and every other run withdraws before it touches traffic. Two runs started together
 * both passed the check above (read, then act); this settles the race without a lock.
 */
export function raceWinner(mine: number, history: DeploymentRecord[], closed: number[]): DeploymentRecord | undefined {
  return openCanaries(history)
    .filter((r) => r.id !== mine && !closed.includes(r.id) && r.id < mine)
    .sort((a, b) => a.id - b.id)[0];
}
