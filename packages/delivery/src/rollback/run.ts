/**
 * Rollback: find the release to go back to in the environment's deployment history, fetch
 * its original artifact and verify the digest, run the user's deploy command on it, move all
 * traffic to it, and record the rollback as a new deployment naming what it replaced.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, Cancelled, errorLine, execChecked, type Clock, type Logger } from '@rollgate/kit';
import type { DeploymentRecord, EnvironmentState, GitHub, ReleaseRecords, Repo } from '@rollgate/github';
import type { TrafficProvider } from '@rollgate/traffic';
import { extractArchive, releaseFolder } from '../artifact/extract.js';
import { fetchArtifact } from '../artifact/fetch.js';
import { openCanaries } from '../records/state.js';
import { runningCanary, waitForQuiet } from '../records/quiet.js';
import { earlierCanary, yieldTo } from '../records/races.js';
import { chooseTarget, type RollbackPlan, type TargetQuery } from './target.js';

export { chooseTarget, tagFor, type RollbackPlan } from './target.js';
import { converge, type RestorePorts } from '../fleet/converge.js';
import { fleetTruth, truthLine } from '../fleet/facts.js';
import { describeStatus } from '../records/status-codec.js';
import type { Target } from '../fleet/plan.js';
import { placeRelease, type Placement, type Slot } from '../slots/place.js';
import { confirmSplit } from '../slots/read-back.js';

export interface RollbackConfig {
  records: ReleaseRecords;
  gh: GitHub;
  token: string;
  repo: Repo;
  toVersion?: string;
  toDeployment?: number;
  dryRun: boolean;
  deployCommand: string[];
  traffic?: TrafficProvider;
  /** Where the deploy command serves the restored version. */
  targetAddress?: string;
  /** Addresses the release may go back into (blue/green): the first that serves nothing is chosen. */
  slots?: Slot[];
  workDir?: string;
  /** Where the release folder is made when workDir is not given (RUNNER_TEMP; default the system's). */
  tempDir?: string;
  /** The time and the waits (default: the system's; tests pass a virtual clock). */
  clock?: Clock;
  logUrl?: string;
  /** How long to wait for a running canary to settle first (0: fail at once). */
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  /** The workflow run writing the rollback record (its provenance; the artifact keeps the build run). */
  run?: { id: string; attempt: number };
  /** Where the rollback says what it does (the runner's log in an action: kit's actionsLogger). */
  logger: Logger;
  /**
   * A fleet (what a phased release changed): the release goes back on every target one by one
   * (drain, deploy from its original artifact, wait healthy, back in), as a failed batch's roll
   * back does, instead of one deploy command and a traffic move.
   */
  fleet?: { targets: Target[]; ports: RestorePorts };
}

/** The live release went out across a fleet: a phased release, or a rollback of one. */
const onFleet = (r: DeploymentRecord) => r.payload.kind === 'phased' || r.payload.fleet === true;

export interface RollbackResult extends RollbackPlan {
  version: string;
  digest: string;
  source: string;
  deploymentId?: number;
  dryRun: boolean;
}

/** The rollback's plan with its artifact fetched, verified and unpacked. */
interface Prepared extends RollbackPlan {
  version: string;
  /** The release folder the artifact was fetched into. */
  dir: string;
  fetched: { archive: string; digest: string; source: string };
}

/** Waits until no rollout moves traffic, then plans from the records (refused records named on failure). */
async function planWhenQuiet(config: RollbackConfig): Promise<RollbackPlan & { state: EnvironmentState }> {
  const { records } = config;
  // A rollout moving traffic now settles first (promoted or aborted); one paused at its gate waits for a person.
  const state = await waitForQuiet(records, runningCanary, {
    timeoutMs: config.waitTimeoutMs ?? 0,
    purpose: 'rollback',
    logger: config.logger,
    ...(config.clock ? { clock: config.clock } : {}),
    ...(config.signal ? { signal: config.signal } : {}),
  });
  try {
    const plan = await chooseTarget(records, state, query(config), { gh: config.gh, repo: config.repo });
    return { ...plan, state };
  } catch (error) {
    // Say which records were left out: the release the user meant may be among them.
    if (!(error instanceof ActionError) || !state.refused.length) throw error;
    const list = state.refused
      .slice(0, 3)
      .map((r) => `deployment ${r.id}: ${r.why}`)
      .join('; ');
    throw new ActionError(`${error.message} ${state.refused.length} record(s) were left out as not trusted (${list}).`);
  }
}

const query = (config: RollbackConfig): TargetQuery => ({
  ...(config.toVersion ? { toVersion: config.toVersion } : {}),
  ...(config.toDeployment ? { toDeployment: config.toDeployment } : {}),
  ...(config.fleet ? { fleet: true } : {}),
});

/** Fetches and verifies the target's original artifact. */
async function prepare(config: RollbackConfig, plan: RollbackPlan): Promise<Prepared> {
  const { current, target } = plan;
  const version = target.payload.version;
  config.logger.info(
    `Rolling back ${config.records.environment} from ${current.payload.version} (deployment ${current.id}) to ${version} (deployment ${target.id}).`,
  );
  const ref = target.payload.artifact as NonNullable<typeof target.payload.artifact>;
  const dir = config.workDir ?? (await releaseFolder(config.tempDir || tmpdir(), version));
  const fetched = await fetchArtifact(config.gh, config.token, config.repo, ref, dir);
  config.logger.info(`Fetched ${fetched.source}: digest ${fetched.digest} matches the record.`);
  return { current, target, version, dir, fetched };
}

export async function runRollback(config: RollbackConfig): Promise<RollbackResult> {
  const { records } = config;
  const log = (line: string) => config.logger.info(line);
  const planned = await planWhenQuiet(config);
  if (planned.target.id === planned.current.id && config.fleet) return reconcileLive(config, config.fleet, planned);
  if (onFleet(planned.current) && !config.fleet)
    throw new ActionError(
      `${planned.current.payload.version} (deployment ${planned.current.id}) went out across a fleet (a phased release): give targets and haproxy-socket so the rollback puts ${planned.target.payload.version} back on every target; one deploy would leave the others on ${planned.current.payload.version}.`,
    );
  // Where the release goes back to: never onto the address serving the live release (slots/place.ts).
  const placed = config.fleet ? {} : placeRollback(config, planned);
  const into = placed.address;
  const prepared = await prepare(config, planned);
  const { fetched, version, current, target } = prepared;
  if (config.dryRun) {
    log(
      `Dry run: would deploy ${version} from ${fetched.archive}${into ? ` to ${into}${placed.slot ? ` (slot ${placed.slot})` : ''}` : ''}, move all traffic to it and record the rollback. Nothing changed.`,
    );
    return { current, target, version, digest: fetched.digest, source: fetched.source, dryRun: true };
  }
  const extracted = join(prepared.dir, 'release');
  await extractArchive(fetched.archive, extracted);
  const deploymentId = await records.create(
    target.sha,
    {
      ...target.payload,
      index: undefined,
      kind: 'rollback',
      ...(config.run ? { run: config.run } : {}),
      rollback_of: { version: current.payload.version, deployment_id: current.id },
      // A fleet has no one address; and whether this rollback went to a fleet is its own fact,
      // never inherited from the payload of the release it restores.
      ...(config.fleet
        ? { fleet: true, address: undefined }
        : { fleet: undefined, slot: placed.slot, ...(into ? { address: into } : {}) }),
    },
    `rollback to ${version}`,
    planned.state,
  );
  // The start race (records/races.ts): a rollout that created its record first goes on; this
  // rollback waits with its record, and goes on only if it would still do the same.
  const rival = earlierCanary(deploymentId, (await records.state()).records);
  if (rival)
    await yieldTo({
      records,
      mine: deploymentId,
      winner: rival,
      busy: runningCanary,
      purpose: 'rollback',
      timeoutMs: config.waitTimeoutMs ?? 0,
      logger: config.logger,
      ...(config.clock ? { clock: config.clock } : {}),
      ...(config.signal ? { signal: config.signal } : {}),
      changed: (after) =>
        after.live?.id === current.id && !openCanaries(after.records).length
          ? undefined
          : `${after.live ? `${after.live.payload.version} (deployment ${after.live.id})` : 'nothing'} is live now${openCanaries(after.records).length ? ' and a rollout is open' : ''}, not the ${current.payload.version} it would roll back from`,
    });
  const base = { current, target, version, digest: fetched.digest, source: fetched.source, dryRun: false };
  await records.status(
    deploymentId,
    'in_progress',
    `deploying ${version} from its original artifact`,
    config.logUrl ? { logUrl: config.logUrl } : {},
  );
  try {
    if (config.fleet) {
      await toFleet(config, config.fleet, { deploymentId, current, target, version });
    } else if (config.deployCommand.length) {
      const [program, ...args] = config.deployCommand as [string, ...string[]];
      await execChecked('Deploy', program, [...args, version, extracted], {
        env: {
          ROLLGATE_VERSION: version,
          ROLLGATE_ARTIFACT_DIR: extracted,
          ROLLGATE_ARCHIVE: fetched.archive,
          ROLLGATE_ADDRESS: into ?? '',
        },
      });
    }
    if (config.traffic && !config.fleet) {
      const previous = {
        version: current.payload.version,
        ...(current.payload.address ? { address: current.payload.address } : {}),
      };
      const split = { stable: { version, ...(into ? { address: into } : {}) }, canary: previous, canaryWeight: 0 };
      await config.traffic.setSplit(split);
      log(`All traffic on ${await confirmSplit(config.traffic, split)}.`);
    }
  } catch (error) {
    if (!(error instanceof FleetLeftWrong))
      await records.status(deploymentId, 'failure', `rollback to ${version} failed: ${(error as Error).message}`);
    throw error;
  }
  await records.status(
    deploymentId,
    'success',
    `rolled back from ${current.payload.version} to ${version}`,
    config.logUrl ? { logUrl: config.logUrl } : {},
  );
  await records.status(current.id, 'inactive', `rolled back to ${version} (deployment ${deploymentId})`);
  log(
    `${version} is live in ${records.environment}; deployment ${current.id} (${current.payload.version}) marked inactive.`,
  );
  return { ...base, deploymentId };
}

/** The address a single-target rollback deploys into: its target-address, or a free slot; never where the live release serves. */
function placeRollback(config: RollbackConfig, planned: RollbackPlan): Placement {
  const { current } = planned;
  return placeRelease({
    input: 'target-address',
    ...(config.targetAddress ? { given: config.targetAddress } : {}),
    slots: config.slots ?? [],
    live: {
      version: current.payload.version,
      id: current.id,
      ...(current.payload.address ? { address: current.payload.address } : {}),
    },
    open: [],
    environment: config.records.environment,
  });
}

/** The fleet was left split by a rollback that failed midway: both records already say what it is. */
class FleetLeftWrong extends ActionError {}

/**
 * A fleet rollback: the release back on every target not proven to run it (fleet/converge.ts),
 * then the fleet read back. A failure midway, or a fleet that is not all on the release after,
 * is recorded as it is on both records (the rollback's failure, and the live record's text), and
 * running the rollback again goes on from where it stopped.
 */
async function toFleet(
  config: RollbackConfig,
  fleet: NonNullable<RollbackConfig['fleet']>,
  at: { deploymentId: number; current: DeploymentRecord; target: DeploymentRecord; version: string },
): Promise<void> {
  const { records } = config;
  const release = {
    version: at.version,
    ...(at.target.payload.artifact ? { artifact: at.target.payload.artifact } : {}),
  };
  let failure: string | undefined;
  try {
    await converge([...fleet.targets].reverse(), release, fleet.ports);
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    failure = errorLine(error);
  }
  const truth = await fleetTruth(fleet.targets, at.version, fleet.ports);
  if (!failure && truth.consistent) return;
  const line = truthLine(truth, at.version);
  const why = failure ?? `the fleet is not all on ${at.version}`;
  if (at.deploymentId !== at.current.id)
    await records.status(at.deploymentId, 'failure', `rollback to ${at.version} failed: ${why}; ${line}`);
  await records.status(at.current.id, 'success', `still live, but a rollback to ${at.version} stopped midway: ${line}`);
  throw new FleetLeftWrong(
    `The rollback to ${at.version} stopped: ${why}. The fleet is split: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ') || line}. Run the rollback again (it goes on from where it stopped), or reconcile the fleet.`,
  );
}

/**
 * A fleet rollback to what is live already: the fleet is brought back to it (every target not
 * proven to run it gets it, from its original artifact), and the live record says what the fleet is.
 */
async function reconcileLive(
  config: RollbackConfig,
  fleet: NonNullable<RollbackConfig['fleet']>,
  plan: RollbackPlan,
): Promise<RollbackResult> {
  const { current } = plan;
  const version = current.payload.version;
  const base = {
    ...plan,
    version,
    digest: current.payload.artifact?.digest ?? '',
    source: 'the targets',
    dryRun: config.dryRun,
  };
  if (config.dryRun) {
    const truth = await fleetTruth(fleet.targets, version, fleet.ports);
    config.logger.info(
      `Dry run: ${version} is live; the fleet would be brought back to it: ${truthLine(truth, version)}. Nothing changed.`,
    );
    return base;
  }
  config.logger.info(`${version} is live already: bringing the fleet back to it.`);
  await toFleet(config, fleet, { deploymentId: current.id, current, target: current, version });
  const truth = await fleetTruth(fleet.targets, version, fleet.ports);
  await config.records.status(
    current.id,
    'success',
    describeStatus({ kind: 'reconciled', version, fleet: truthLine(truth, version) }),
  );
  return { ...base, deploymentId: current.id };
}
