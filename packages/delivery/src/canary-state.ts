/** Where a canary stands, read from the deployment records: the stable, open canaries, the plan. */
import { ActionError, formatDuration } from '@rollgate/kit';
import type { Backend } from '@rollgate/traffic';
import type { DeploymentRecord, ReleasePayload, ReleaseRecords } from '@rollgate/github';
import type { CanaryConfig } from './canary-types.js';
import { readStatus } from './status-codec.js';

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

export const DEFAULT_STEPS = [5, 25, 50, 100];
export const DEFAULT_INTERVAL_MS = 60_000;

export interface Plan {
  steps: number[];
  intervalMs: number;
  intervalText: string;
}

export function plan(config: CanaryConfig, recorded?: ReleasePayload['rollout']): Plan {
  const intervalMs = config.intervalMs ?? recorded?.interval_ms ?? DEFAULT_INTERVAL_MS;
  return {
    steps: config.steps ?? recorded?.steps ?? DEFAULT_STEPS,
    intervalMs,
    intervalText: formatDuration(intervalMs),
  };
}

/**
 * The window a query reads (`{{window}}`, and `{{interval}}` as before): the sampling period,
 * never less than four scrape intervals. Readings are about now: a canary that died early in a
 * step shows as no data within one window, not only after a window as long as the step.
 */
export function queryWindowMs(intervalMs: number, samples: number, scrapeIntervalMs: number): number {
  // rate() needs two samples in its range; four scrapes is the usual margin against jitter.
  return Math.max(Math.floor(intervalMs / samples), 4 * scrapeIntervalMs);
}

/** The version serving now: the newest deployment in the environment whose latest state is success. */
export function currentStable(config: CanaryConfig, history: DeploymentRecord[]): Backend | undefined {
  if (config.stable.version)
    return { version: config.stable.version, ...(config.stable.address ? { address: config.stable.address } : {}) };
  const live = liveRecord(history, config.version);
  if (!live) return undefined;
  const address = config.stable.address ?? live.payload.address;
  return { version: live.payload.version, ...(address ? { address } : {}) };
}

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

/** The paused canary of this version; addresses given as inputs win over the recorded ones. */
export async function findOpen(config: CanaryConfig) {
  const open = (await config.records.history()).find((r) => r.payload.version === config.version && isOpen(r.state));
  if (!open)
    throw new ActionError(
      `No canary of ${config.version} is in progress in ${config.records.environment}: start one with mode: start.`,
    );
  if (open.payload.kind === 'phased')
    throw new ActionError(
      `The rollout of ${config.version} in ${config.records.environment} (deployment ${open.id}) is a phased release, not a canary: run promote.yml with kind: phased.`,
    );
  const weight = weightOf(open);
  const stableAddress = config.stable.address ?? open.payload.stable_address;
  const canaryAddress = config.canary.address ?? open.payload.address;
  const stable: Backend = {
    version: open.payload.stable ?? config.stable.version ?? '',
    ...(stableAddress ? { address: stableAddress } : {}),
  };
  const canary: Backend = { version: config.version, ...(canaryAddress ? { address: canaryAddress } : {}) };
  return { open, weight, stable, canary };
}

/**
 * Before a new canary: any other open canary (paused at its gate, running, or left by a lost
 * runner) stops this run, since moving traffic now would silently drop it. The exception is a
 * re-run of this very job (same workflow run, an earlier attempt): its record is returned, to
 * be closed as abandoned and restarted from the first step.
 */
export function openOfThisVersion(
  config: Pick<CanaryConfig, 'version' | 'run' | 'records'>,
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

/** The weight a canary record stands at, read by the status codec. */
export const weightOf = (r: DeploymentRecord): number => readStatus(r.description).weight;
