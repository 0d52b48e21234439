/**
 * What the records say of an environment, as every rollout reads it: which records are open
 * (a rollout or a rollback not settled), what is live, and the start races between rollouts.
 */
import { ActionError } from '@rollgate/kit';
import type { Backend } from '@rollgate/traffic';
import { isOpenState, type DeploymentRecord, type EnvironmentState, type ReleaseRecords } from '@rollgate/github';

/** A canary record with no status yet was just created by a run that is starting: it is open too. */
export const isOpen = isOpenState;

/** The records of a rollout moving a new version in: a canary (a traffic share) or a phased release (batches). */
export const isRollout = (r: DeploymentRecord) => r.payload.kind === 'canary' || r.payload.kind === 'phased';

export const rolloutName = (r: DeploymentRecord) => (r.payload.kind === 'phased' ? 'phased release' : 'canary');

/** How a person settles an open rollout (promote.yml runs both kinds' gates). */
export const settleHint = (r: DeploymentRecord) =>
  r.payload.kind === 'phased'
    ? 'continue or abort it with promote.yml (kind: phased, action: promote or abort)'
    : 'finish it with mode: promote or mode: abort (promote.yml)';

/** How a person stops an open rollout whose runner was lost. */
export const abortHint = (r: DeploymentRecord) =>
  r.payload.kind === 'phased'
    ? 'abort it with promote.yml (kind: phased, action: abort)'
    : 'abort it with promote.yml (kind: canary, action: abort)';

/**
 * After a release became live (record `keep` success): every other record still success is
 * retired (inactive), read back from the records as they are now. Returns the ids retired.
 */
export async function retireReplaced(records: ReleaseRecords, keep: number): Promise<number[]> {
  const now = await records.state();
  const successes = now.records.filter((r) => r.state === 'success').map((r) => r.id);
  // The release this one replaced (named live by its index; the reading leaves out a live release older than the newest).
  const replaced = now.records.find((r) => r.id === keep)?.payload.index?.live;
  if (replaced && !successes.includes(replaced) && (await records.latest(replaced)).state === 'success')
    successes.push(replaced);
  return records.retire(successes, keep);
}

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
 * No trusted stable release, but untrusted records exist, or a release the records named live
 * is gone: that is not a first release (which would go to 100% without a comparison). A record
 * copied onto the stable's run, or a history of records the suite cannot trace, must never
 * switch the analysis off.
 */
export function refuseUntrustedFirstRelease(current: Backend | undefined, state: EnvironmentState): void {
  if (current) return;
  if (state.lost)
    throw new ActionError(
      `No trusted live release in ${state.environment}, but ${state.lost}. Rollgate will not treat this as a first release; name the stable with stable-version (and stable-address), or restore a release with rollback.yml, to go on.`,
    );
  if (!state.refused.length) return;
  const list = state.refused
    .slice(0, 3)
    .map((r) => `deployment ${r.id}: ${r.why}`)
    .join('; ');
  throw new ActionError(
    `No trusted stable release in ${state.environment}, and ${state.refused.length} record(s) there are not trusted (${list}). Rollgate will not treat this as a first release; name the stable with stable-version (and stable-address) to go on.`,
  );
}

/** Whether two records (or a record and a run) name the same workflow run: run ids compare as numbers. */
export const sameRun = (a: { id: string } | undefined, b: { id: string } | undefined) =>
  a !== undefined && b !== undefined && Number(a.id) === Number(b.id);

/**
 * Before a new canary: any other open canary (paused at its gate, running, or left by a lost
 * runner) stops this run, since moving traffic now would silently drop it. The exception is a
 * re-run of this very job (same workflow run, an earlier attempt): its record is returned, to
 * be closed as abandoned and restarted from the first step.
 */
export function openOfThisVersion(
  config: { version: string; run?: { id: string; attempt: number } },
  state: EnvironmentState,
): DeploymentRecord[] {
  const open = openCanaries(state.records);
  const isRerun = (r: DeploymentRecord) =>
    r.payload.version === config.version &&
    sameRun(r.payload.run, config.run) &&
    (r.payload.run?.attempt ?? 0) < (config.run?.attempt ?? 0);
  const other = open.find((r) => !isRerun(r));
  if (other) {
    throw new ActionError(
      `A ${rolloutName(other)} of ${other.payload.version} is still in progress in ${state.environment} (deployment ${other.id}: ${other.description}): ${settleHint(other)} first.`,
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
