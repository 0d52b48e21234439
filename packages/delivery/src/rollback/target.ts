/**
 * Which release a rollback goes back to, found at any depth of the environment's history in a
 * few requests: by id (to-deployment); by version (to-version), through the release's tag (the
 * live record's tag gives the format) to its commit and the records of that commit; else, and for
 * "the release before", along the chain of live releases each record's index names. Records
 * written before indexes are found by reading the whole history, once.
 */
import { ActionError } from '@rollgate/kit';
import {
  commitOfTag,
  type DeploymentRecord,
  type EnvironmentState,
  type GitHub,
  type ReleaseRecords,
  type Repo,
} from '@rollgate/github';
import { openCanaries, rolloutName } from '../records/state.js';

export interface RollbackPlan {
  current: DeploymentRecord;
  target: DeploymentRecord;
}

export interface TargetQuery {
  toVersion?: string;
  toDeployment?: number;
  /** A fleet rollback to the live release brings the fleet back to it (reconcile) instead of refusing. */
  fleet?: boolean;
}

/** Hops along the chain of live releases before the whole history is read instead. */
const CHAIN_HOPS = 25;

export async function chooseTarget(
  records: ReleaseRecords,
  state: EnvironmentState,
  query: TargetQuery,
  lookup: { gh: GitHub; repo: Repo },
): Promise<RollbackPlan> {
  const environment = state.environment;
  const open = openCanaries(state.records)[0];
  if (open) {
    throw new ActionError(
      `A ${rolloutName(open)} of ${open.payload.version} is in progress in ${environment} (deployment ${open.id}: ${open.description}): abort it (promote.yml with ${open.payload.kind === 'phased' ? 'kind: phased, ' : ''}action: abort) to put everything back on ${open.payload.stable ?? 'stable'}, then roll back if needed.`,
    );
  }
  const current = state.live;
  if (!current)
    throw new ActionError(
      `Nothing is live in ${environment}: ${state.lost ?? 'no trusted deployment has a success status'}; nothing to roll back from.`,
    );
  const target = query.toDeployment
    ? await byId(records, query.toDeployment, environment)
    : query.toVersion
      ? await byVersion(records, current, query.toVersion, lookup)
      : await previousRelease(records, current);
  if (target.payload.version === current.payload.version) {
    if (query.fleet) return { current, target: current };
    throw new ActionError(`${target.payload.version} is already live in ${environment}.`);
  }
  if (!target.payload.artifact?.digest) {
    throw new ActionError(
      `Deployment ${target.id} (${target.payload.version}) records no artifact digest: it cannot be restored from its original artifact.`,
    );
  }
  return { current, target };
}

async function byId(records: ReleaseRecords, id: number, environment: string): Promise<DeploymentRecord> {
  const found = await records.record(id);
  if (!found) throw new ActionError(`Input 'to-deployment': deployment ${id} is not a deployment of ${environment}.`);
  return found;
}

/** A release of `version` that reached success: through its tag's commit, else along the chain, else the whole history. */
async function byVersion(
  records: ReleaseRecords,
  current: DeploymentRecord,
  version: string,
  lookup: { gh: GitHub; repo: Repo },
): Promise<DeploymentRecord> {
  const wanted = (r: DeploymentRecord) => r.payload.version === version && r.everSucceeded;
  const tag = tagFor(current, version);
  const sha = tag ? await commitOfTag(lookup.gh, lookup.repo, tag) : '';
  const found = sha ? (await records.ofCommit(sha)).find(wanted) : undefined;
  if (found) return found;
  const chained = await alongChain(records, current, wanted);
  if (chained) return chained;
  throw new ActionError(`Input 'to-version': ${version} never reached success in ${records.environment}.`);
}

/** The release live before the current one (a different version), along the chain the indexes name. */
async function previousRelease(records: ReleaseRecords, current: DeploymentRecord): Promise<DeploymentRecord> {
  const earlier = await alongChain(
    records,
    current,
    (r) => r.everSucceeded && r.payload.version !== current.payload.version,
  );
  if (!earlier)
    throw new ActionError(`No earlier release of ${records.environment} reached success: nothing to roll back to.`);
  return earlier;
}

/** The newest record older than `from` that `wanted` accepts: the chain of live releases, then (records without indexes) the whole history. */
async function alongChain(
  records: ReleaseRecords,
  from: DeploymentRecord,
  wanted: (r: DeploymentRecord) => boolean,
): Promise<DeploymentRecord | undefined> {
  let at = from;
  for (let hop = 0; hop < CHAIN_HOPS; hop += 1) {
    const id = at.payload.index?.live;
    if (!id) break;
    const before = await records.record(id);
    if (!before) break;
    if (wanted(before)) return before;
    at = before;
  }
  const whole = await records.whole();
  return whole.records.find((r) => r.id < from.id && wanted(r));
}

/** The tag `version` would have, in the format of the live record's tag (`v1.2.3`, `pkg@1.2.3`, `pkg-v1.2.3`). */
export function tagFor(current: DeploymentRecord, version: string): string | undefined {
  const { tag, version: live } = current.payload;
  if (!tag || !tag.endsWith(live)) return undefined;
  return `${tag.slice(0, tag.length - live.length)}${version}`;
}
