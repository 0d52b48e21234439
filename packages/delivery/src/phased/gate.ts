/**
 * The manual gate of a phased release (promote.yml, the phased action with mode continue,
 * abort or reconcile), decided from facts the suite can check, never from status text alone:
 * - where the release stands: the batches whose targets all report the new version and are in
 *   rotation are done (a service that reports no version: the last pause a trusted run wrote);
 * - continue needs the release paused, by a status a trusted run of the suite wrote;
 * - an abort puts the previous release back on every planned target not proven to run it
 *   (fleet/converge.ts), whatever the statuses say, then reads the fleet back;
 * - reconcile brings a fleet to the live release from any state (a failed roll back, a lost
 *   runner, an HAProxy that lost its drains) and records what the fleet is.
 * The recorded plan passed the same validation as the targets input (payload.ts), and its
 * targets must be servers of the configured backend at those addresses (Fleet.check).
 */
import { ActionError, errorLine, systemClock } from '@rollgate/kit';
import type { ArtifactRef, DeploymentRecord } from '@rollgate/github';
import { isRollout, liveRecord } from '../records/state.js';
import type { Target } from '../fleet/plan.js';
import { converge } from '../fleet/converge.js';
import { fleetTruth, readFleet, truthLine, type FleetTruth } from '../fleet/facts.js';
import type { PhasedConfig, PhasedResult, Release } from './types.js';
import { describeStatus, readBatch } from '../records/status-codec.js';
import { latestTrusted } from './statuses.js';

/** A phased release read back from its record and from the fleet. */
export interface OpenPhased {
  record: DeploymentRecord;
  batches: Target[][];
  intervalMs: number;
  pause: 'auto' | 'manual' | 'first';
  /** Batches finished (on the new version and in rotation, read from the fleet). */
  done: number;
  /** Paused at its gate, by a status a trusted run wrote. */
  paused: boolean;
  previous?: Release;
  artifact?: ArtifactRef;
}

/** The open phased release of `config.version`, with its plan and where it stands, or one line saying why there is none to act on. */
export async function findOpenPhased(config: PhasedConfig): Promise<OpenPhased> {
  const { records, version } = config;
  const env = records.environment;
  const state = await records.state();
  const open = state.open.find((r) => r.payload.version === version && isRollout(r));
  if (!open)
    throw new ActionError(
      `No phased release of ${version} is in progress in ${env}: start one with the phased action (pause: manual or first), or bring the fleet back to the live release with action: reconcile.`,
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
  const live = liveRecord(state.records, version);
  if (open.payload.stable && live?.payload.version !== open.payload.stable)
    throw new ActionError(
      `The phased release of ${version} started over ${open.payload.stable}, but ${live ? `${live.payload.version} (deployment ${live.id})` : 'nothing'} is live in ${env} now: the records disagree; nothing was changed.`,
    );
  const batches = plan.batches;
  const said = await latestTrusted(records, open.id, config.logger);
  const at = said ? readBatch(said.description) : undefined;
  return {
    record: open,
    batches,
    intervalMs: plan.interval_ms,
    pause: plan.pause,
    done: await batchesDone(config, batches, at?.done ?? 0),
    paused: at?.paused ?? false,
    ...(live ? { previous: releaseOf(live) } : {}),
    ...(open.payload.artifact ? { artifact: open.payload.artifact } : {}),
  };
}

const releaseOf = (r: DeploymentRecord): Release => ({
  version: r.payload.version,
  ...(r.payload.artifact ? { artifact: r.payload.artifact } : {}),
});

/**
 * The batches done, read from the fleet: each batch whose every target reports the new version
 * and is in rotation, in order. When the targets report no version, the trusted pause's count.
 */
async function batchesDone(config: PhasedConfig, batches: Target[][], said: number): Promise<number> {
  const facts = new Map((await readFleet(batches.flat(), config)).map((f) => [f.target.name, f]));
  if ([...facts.values()].every((f) => !f.version)) return Math.min(said, batches.length);
  let done = 0;
  for (const batch of batches) {
    if (!batch.every((t) => facts.get(t.name)?.version === config.version && facts.get(t.name)?.inRotation)) break;
    done += 1;
  }
  return done;
}

/** Continue needs the release waiting at its gate (a trusted run's pause); anything else is moving, or was left by a lost runner. */
export function requirePaused(found: OpenPhased, records: { environment: string }): void {
  if (found.paused) return;
  const { record } = found;
  throw new ActionError(
    `The phased release of ${record.payload.version} in ${records.environment} (deployment ${record.id}) is not paused at its gate by a run of the suite (${record.description || record.state}): it is moving now, or its runner was lost; abort it with action: abort.`,
  );
}

/** What an abort puts back: every planned target (those proven on the previous release stay as they are), the batches after the last done first. */
export function abortScope(found: OpenPhased): { reach: number; changed: Target[] } {
  const reach = Math.min(found.done + 1, found.batches.length);
  return { reach, changed: [...found.batches.slice(found.done).flat(), ...found.batches.slice(0, found.done).flat()] };
}

/** Aborts by hand: the previous release back on every planned target not proven to run it, the fleet read back, the record settled. */
export async function abortPhased(config: PhasedConfig, found: OpenPhased): Promise<PhasedResult> {
  const clock = config.clock ?? systemClock;
  const startedAt = clock.now();
  const { records, logger } = config;
  const deploymentId = found.record.id;
  const count = found.batches.length;
  const index = found.done;
  const { changed } = abortScope(found);
  const previous = found.previous?.version ?? 'none';
  await records.status(
    deploymentId,
    'in_progress',
    describeStatus({ kind: 'phased-aborting', index, count, previous }),
  );
  config.inflight({
    deploymentId,
    version: config.version,
    changed,
    drained: [],
    batch: { index, count },
    ...(found.previous ? { previous: found.previous } : {}),
  });
  logger.info(
    `Aborting the phased release of ${config.version}: every planned target not running ${previous} gets it back.`,
  );
  let truth: FleetTruth | undefined;
  try {
    const done = await converge(changed, found.previous, config, { newVersion: config.version });
    truth = found.previous ? await fleetTruth(changed, found.previous.version, config) : undefined;
    if (truth && !truth.consistent)
      throw new ActionError(
        `the fleet is not back on ${previous}: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ')}`,
      );
    await records.status(
      deploymentId,
      'failure',
      describeStatus({
        kind: 'phased-aborted',
        index,
        count,
        changed: done.deployed.length,
        previous,
        ...(truth ? { fleet: truthLine(truth, previous) } : {}),
      }),
    );
  } catch (error) {
    await records.status(
      deploymentId,
      'error',
      describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }),
    );
    config.inflight(undefined);
    throw new ActionError(
      `The abort of ${config.version} failed: ${errorLine(error)}. Run action: reconcile to bring the fleet back to ${previous}.`,
    );
  }
  config.inflight(undefined);
  return {
    outcome: 'aborted',
    deploymentId,
    plan: found.batches,
    onNew: [],
    ...(found.previous ? { previous: found.previous.version } : {}),
    batches: found.batches.map((b, i) => ({
      index: i + 1,
      targets: b.map((t) => t.name),
      outcome: 'failed',
      reason: 'aborted by hand',
    })),
    verdict: { check: 'manual', reason: 'aborted by hand' },
    ...(truth ? { fleet: truth } : {}),
    readings: [],
    startedAt,
    endedAt: clock.now(),
  };
}

/**
 * Brings the fleet back to the live release from any state: an open phased release is aborted
 * (as above); otherwise every target (the targets input, else the live release's plan) not
 * proven to run the live release gets it, and the live record says what the fleet is now.
 */
export async function reconcileFleet(config: PhasedConfig): Promise<PhasedResult> {
  const clock = config.clock ?? systemClock;
  const startedAt = clock.now();
  const { records, logger } = config;
  const state = await records.state();
  const open = state.open.find((r) => r.payload.kind === 'phased');
  if (open)
    return abortPhased(
      { ...config, version: open.payload.version },
      await findOpenPhased({ ...config, version: open.payload.version }),
    );
  const live = state.live;
  if (!live)
    throw new ActionError(
      `Nothing is live in ${records.environment}${state.lost ? ` (${state.lost})` : ''}: there is no release to bring the fleet back to.`,
    );
  const targets = config.batches?.flat().length ? config.batches.flat() : (live.payload.phased?.batches.flat() ?? []);
  if (!targets.length)
    throw new ActionError("Input 'targets': the fleet to reconcile (the live release records no plan of targets).");
  await config.fleet.check(targets);
  const release = releaseOf(live);
  logger.info(
    `Reconciling ${targets.length} target(s) with the live release ${release.version} (deployment ${live.id}).`,
  );
  const done = await converge(targets, release, config);
  const truth = await fleetTruth(targets, release.version, config);
  const line = truthLine(truth, release.version);
  if (!truth.consistent) {
    throw new ActionError(
      `Reconcile with ${release.version} left the fleet wrong: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ')}.`,
    );
  }
  if (done.deployed.length || done.readied.length)
    await records.status(
      live.id,
      'success',
      describeStatus({ kind: 'reconciled', version: release.version, fleet: line }),
    );
  logger.info(
    `The fleet runs ${release.version}: ${line} (${done.deployed.length} redeployed, ${done.readied.length} put back in rotation).`,
  );
  return {
    outcome: 'reconciled',
    deploymentId: live.id,
    plan: [targets],
    onNew: [],
    previous: release.version,
    batches: [],
    fleet: truth,
    readings: [],
    startedAt,
    endedAt: clock.now(),
  };
}
