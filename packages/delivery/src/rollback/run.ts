/**
 * Rollback: find the release to go back to in the environment's deployment history, fetch
 * its original artifact and verify the digest, run the user's deploy command on it, move all
 * traffic to it, and record the rollback as a new deployment naming what it replaced.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, execChecked, type Clock, type Logger } from '@rollgate/kit';
import type { DeploymentRecord, GitHub, ReleaseRecords, Repo } from '@rollgate/github';
import type { TrafficProvider } from '@rollgate/traffic';
import { extractArchive, releaseFolder } from '../artifact/extract.js';
import { fetchArtifact } from '../artifact/fetch.js';
import { liveRecord, openCanaries, rolloutName } from '../records/state.js';
import { runningCanary, waitForQuiet } from '../records/quiet.js';
import { earlierCanary } from '../records/races.js';
import { restorePrevious, type RestorePorts } from '../fleet/restore.js';
import type { Target } from '../fleet/plan.js';

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

export interface RollbackPlan {
  current: DeploymentRecord;
  target: DeploymentRecord;
}

export interface RollbackResult extends RollbackPlan {
  version: string;
  digest: string;
  source: string;
  deploymentId?: number;
  dryRun: boolean;
}

export function chooseTarget(
  history: DeploymentRecord[],
  options: { toVersion?: string; toDeployment?: number },
  environment: string,
): RollbackPlan {
  const open = openCanaries(history)[0];
  if (open) {
    throw new ActionError(
      `A ${rolloutName(open)} of ${open.payload.version} is in progress in ${environment} (deployment ${open.id}: ${open.description}): abort it (promote.yml with ${open.payload.kind === 'phased' ? 'kind: phased, ' : ''}action: abort) to put everything back on ${open.payload.stable ?? 'stable'}, then roll back if needed.`,
    );
  }
  const current = liveRecord(history);
  if (!current)
    throw new ActionError(`Nothing is live in ${environment}: no deployment has a success status to roll back from.`);
  let target: DeploymentRecord | undefined;
  if (options.toDeployment) {
    target = history.find((r) => r.id === options.toDeployment);
    if (!target)
      throw new ActionError(
        `Input 'to-deployment': deployment ${options.toDeployment} is not among the recent deployments of ${environment}.`,
      );
  } else if (options.toVersion) {
    target = history.find((r) => r.payload.version === options.toVersion && r.everSucceeded);
    if (!target)
      throw new ActionError(`Input 'to-version': ${options.toVersion} never reached success in ${environment}.`);
  } else {
    const older = history.slice(history.indexOf(current) + 1);
    target = older.find((r) => r.everSucceeded && r.payload.version !== current.payload.version);
    if (!target)
      throw new ActionError(`No earlier release of ${environment} reached success: nothing to roll back to.`);
  }
  if (target.payload.version === current.payload.version)
    throw new ActionError(`${target.payload.version} is already live in ${environment}.`);
  if (!target.payload.artifact?.digest) {
    throw new ActionError(
      `Deployment ${target.id} (${target.payload.version}) records no artifact digest: it cannot be restored from its original artifact.`,
    );
  }
  return { current, target };
}

/** The rollback's plan with its artifact fetched, verified and unpacked. */
interface Prepared extends RollbackPlan {
  version: string;
  /** The release folder the artifact was fetched into. */
  dir: string;
  fetched: { archive: string; digest: string; source: string };
  extracted?: string;
}

/** Waits until no canary moves traffic, then plans from the records (refused records named on failure). */
async function planWhenQuiet(config: RollbackConfig): Promise<RollbackPlan> {
  const { records } = config;
  // A canary moving traffic now settles first (promoted or aborted); one paused at its gate waits for a person.
  const history = await waitForQuiet(records, runningCanary, {
    timeoutMs: config.waitTimeoutMs ?? 0,
    purpose: 'rollback',
    logger: config.logger,
    limit: 50,
    ...(config.clock ? { clock: config.clock } : {}),
    ...(config.signal ? { signal: config.signal } : {}),
  });
  try {
    return chooseTarget(
      history,
      {
        ...(config.toVersion ? { toVersion: config.toVersion } : {}),
        ...(config.toDeployment ? { toDeployment: config.toDeployment } : {}),
      },
      records.environment,
    );
  } catch (error) {
    // Say which records were left out: the release the user meant may be among them.
    if (!(error instanceof ActionError) || !records.refused.length) throw error;
    const list = records.refused
      .slice(0, 3)
      .map((r) => `deployment ${r.id}: ${r.why}`)
      .join('; ');
    throw new ActionError(
      `${error.message} ${records.refused.length} record(s) were left out as not trusted (${list}).`,
    );
  }
}

/** Fetches and verifies the target's original artifact (again only when the target changed). */
async function prepare(config: RollbackConfig, plan: RollbackPlan, earlier?: Prepared): Promise<Prepared> {
  const { current, target } = plan;
  const version = target.payload.version;
  config.logger.info(
    `Rolling back ${config.records.environment} from ${current.payload.version} (deployment ${current.id}) to ${version} (deployment ${target.id}).`,
  );
  if (earlier && earlier.target.id === target.id) return { ...earlier, current };
  const ref = target.payload.artifact as NonNullable<typeof target.payload.artifact>;
  const dir = config.workDir ?? (await releaseFolder(config.tempDir || tmpdir(), version));
  const fetched = await fetchArtifact(config.gh, config.token, config.repo, ref, dir);
  config.logger.info(`Fetched ${fetched.source}: digest ${fetched.digest} matches the record.`);
  return { current, target, version, dir, fetched };
}

export async function runRollback(config: RollbackConfig): Promise<RollbackResult> {
  const { records } = config;
  const log = (line: string) => config.logger.info(line);
  let prepared: Prepared | undefined;
  let deploymentId: number;
  for (;;) {
    prepared = await prepare(config, await planWhenQuiet(config), prepared);
    const { fetched, version, current, target } = prepared;
    if (onFleet(current) && !config.fleet)
      throw new ActionError(
        `${current.payload.version} (deployment ${current.id}) went out across a fleet (a phased release): give targets and haproxy-socket so the rollback puts ${version} back on every target; one deploy would leave the others on ${current.payload.version}.`,
      );
    if (config.dryRun) {
      log(
        `Dry run: would deploy ${version} from ${fetched.archive}, move all traffic to it and record the rollback. Nothing changed.`,
      );
      return { current, target, version, digest: fetched.digest, source: fetched.source, dryRun: true };
    }
    if (!prepared.extracted) {
      prepared.extracted = join(prepared.dir, 'release');
      await extractArchive(fetched.archive, prepared.extracted);
    }
    deploymentId = await records.create(
      target.sha,
      {
        ...target.payload,
        kind: 'rollback',
        ...(config.run ? { run: config.run } : {}),
        rollback_of: { version: current.payload.version, deployment_id: current.id },
        // A fleet has no one address; and whether this rollback went to a fleet is its own fact,
        // never inherited from the payload of the release it restores.
        ...(config.fleet
          ? { fleet: true, address: undefined }
          : { fleet: undefined, ...(config.targetAddress ? { address: config.targetAddress } : {}) }),
      },
      `rollback to ${version}`,
    );
    // The start race (races.ts): a canary that created its record first goes on; this rollback
    // withdraws its record, waits for that canary to settle, and plans again from what is live then.
    const rival = earlierCanary(deploymentId, await records.history(50));
    if (!rival) break;
    await records.status(
      deploymentId,
      'error',
      `withdrew: the canary of ${rival.payload.version} (deployment ${rival.id}) started at the same time; the rollback waits for it and plans again`,
    );
    log(
      `The canary of ${rival.payload.version} (deployment ${rival.id}) started at the same time and got there first: this rollback withdrew its record ${deploymentId} before deploying, waits for the canary, and plans again.`,
    );
  }
  const { fetched, version, current, target } = prepared;
  const extracted = prepared.extracted as string;
  const base = { current, target, version, digest: fetched.digest, source: fetched.source, dryRun: false };
  await records.status(
    deploymentId,
    'in_progress',
    `deploying ${version} from its original artifact`,
    config.logUrl ? { logUrl: config.logUrl } : {},
  );
  try {
    if (config.fleet) {
      const release = { version, ...(target.payload.artifact ? { artifact: target.payload.artifact } : {}) };
      const { targets, ports } = config.fleet;
      await restorePrevious(
        {
          deploymentId,
          version: current.payload.version,
          previous: release,
          changed: targets,
          drained: [],
          batch: { index: 1, count: 1 },
        },
        ports,
      );
    } else if (config.deployCommand.length) {
      const [program, ...args] = config.deployCommand as [string, ...string[]];
      await execChecked('Deploy', program, [...args, version, extracted], {
        env: {
          ROLLGATE_VERSION: version,
          ROLLGATE_ARTIFACT_DIR: extracted,
          ROLLGATE_ARCHIVE: fetched.archive,
          ROLLGATE_ADDRESS: config.targetAddress ?? '',
        },
      });
    }
    if (config.traffic && !config.fleet) {
      const previous = {
        version: current.payload.version,
        ...(current.payload.address ? { address: current.payload.address } : {}),
      };
      await config.traffic.setSplit({
        stable: { version, ...(config.targetAddress ? { address: config.targetAddress } : {}) },
        canary: previous,
        canaryWeight: 0,
      });
    }
  } catch (error) {
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
