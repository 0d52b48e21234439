/**
 * Opening a canary's record: wait for a rollback deploying now (rollbacks run in another
 * concurrency group, see records/quiet.ts), close this run's abandoned attempt, decide the stable,
 * create the record, then settle the start races. Two writers that both read "quiet" and then
 * act would move traffic at once; of the records open together the lowest deployment id wins:
 * - another canary that got there first: this run withdraws, with an error (one release at a time);
 * - a rollback that got there first: this run keeps its record waiting until the rollback settles
 *   (records/races.ts), then goes on if the stable it recorded is still live, else withdraws with
 *   one line to run it again (a rollback is never dropped; a run writes one record per environment).
 */
import { ActionError, type Clock } from '@rollgate/kit';
import type { EnvironmentState, ReleaseRecords } from '@rollgate/github';
import type { Backend } from '@rollgate/traffic';
import type { CanaryConfig } from './types.js';
import { currentStable, weightOf, type Plan } from './state.js';
import {
  liveRecord,
  openOfThisVersion,
  raceWinner,
  refuseUntrustedFirstRelease,
  rolloutName,
} from '../records/state.js';
import { runningRollback, waitForQuiet } from '../records/quiet.js';
import { describeStatus } from '../records/status-codec.js';
import { earlierRollback, yieldTo } from '../records/races.js';
import { placeRelease, type Placement } from '../slots/place.js';

type Status = (id: number, state: Parameters<ReleaseRecords['status']>[1], text: string) => Promise<void>;

export async function openCanaryRecord(
  config: CanaryConfig,
  canary: Backend,
  rollout: Plan,
  status: Status,
  clock: Clock,
): Promise<{ deploymentId: number; stable: Backend; current: Backend | undefined; canary: Backend }> {
  const { records } = config;
  const log = (line: string) => config.logger.info(line);
  const wait = {
    timeoutMs: config.waitTimeoutMs ?? 0,
    logger: config.logger,
    clock,
    ...(config.signal ? { signal: config.signal } : {}),
  };
  const state = await waitForQuiet(records, runningRollback, { ...wait, purpose: `canary of ${config.version}` });
  const current = currentStable(config, state);
  refuseUntrustedFirstRelease(current, state);
  // Where the canary goes, before anything is written: never where the live release or another rollout serves.
  const abandoned = openOfThisVersion(config, state);
  const placed = placeCanary(config, state, current);
  const into: Backend = { ...canary, ...(placed.address ? { address: placed.address } : {}) };
  if (placed.slot)
    config.logger.info(`The canary of ${config.version} goes into slot ${placed.slot} (${placed.address}).`);
  const closed: number[] = [];
  for (const r of abandoned) {
    await status(r.id, 'error', describeStatus({ kind: 'abandoned', weight: weightOf(r), version: config.version }));
    closed.push(r.id);
    log(
      `A previous run left the canary of ${config.version} open at ${weightOf(r)}% (deployment ${r.id}): closed it, restarting from the first step.`,
    );
  }
  const stable = current ?? { version: 'none' };
  const deploymentId = await records.create(
    config.ref,
    {
      ...config.payload,
      version: config.version,
      stable: stable.version,
      kind: 'canary',
      ...(into.address ? { address: into.address } : {}),
      ...(placed.slot ? { slot: placed.slot } : {}),
      ...(stable.address ? { stable_address: stable.address } : {}),
      rollout: { steps: rollout.steps, interval_ms: rollout.intervalMs },
      ...(config.run ? { run: config.run } : {}),
    },
    `canary of ${config.version}`,
    state,
  );
  const now = await records.state();
  const winner = raceWinner(deploymentId, now.records, closed);
  if (winner) {
    await status(
      deploymentId,
      'error',
      describeStatus({ kind: 'lost-race', winner: winner.id, version: winner.payload.version }),
    );
    throw new ActionError(
      `Another rollout (the ${rolloutName(winner)} of ${winner.payload.version}, deployment ${winner.id}) started in ${records.environment} at the same time and got there first: this run withdrew before touching traffic.`,
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
      purpose: `canary of ${config.version}`,
      changed: (after) => stableChanged(config, current, after),
    });
  return { deploymentId, stable, current, canary: into };
}

/**
 * Where a new canary goes (slots/place.ts): its canary-address when it serves nothing now, else
 * refused; or the first free slot. Open canaries of this version are a re-run's to close.
 */
export function placeCanary(config: CanaryConfig, state: EnvironmentState, current: Backend | undefined): Placement {
  const abandoned = openOfThisVersion(config, state);
  return placeRelease({
    input: 'canary-address',
    ...(config.canary.address ? { given: config.canary.address } : {}),
    slots: config.slots ?? [],
    live: current && { ...current, ...liveId(config, state) },
    open: state.open.filter((r) => !abandoned.includes(r)),
    environment: config.records.environment,
  });
}

/** The live record's id, when the live release is the one the records name (not an input). */
function liveId(config: CanaryConfig, state: EnvironmentState): { id?: number } {
  if (config.stable.version) return {};
  const live = liveRecord(state.records, config.version);
  return live ? { id: live.id } : {};
}

/** Whether the stable this canary recorded is still what is live. */
function stableChanged(
  config: CanaryConfig,
  recorded: Backend | undefined,
  after: EnvironmentState,
): string | undefined {
  const live = currentStable(config, after);
  if (live?.version === recorded?.version && live?.address === recorded?.address) return undefined;
  return `${live ? `${live.version}${live.address ? ` at ${live.address}` : ''}` : 'nothing'} is live now, not the stable this canary recorded (${recorded?.version ?? 'none'})`;
}
