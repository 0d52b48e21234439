/**
 * The payload of a release record, and the validator every reader applies: what this suite
 * writes into a deployment, and the only shapes it acts on.
 */
import { isValid, VALUE_RULES, type ValueKind } from '@rollgate/kit';

export interface ArtifactRef {
  name: string;
  digest: string;
  /** Workflow run that uploaded it (for @actions/artifact findBy). */
  run_id?: string;
  /** Workflow artifact id in that run. */
  id?: number;
  /** GitHub release holding the archive as an asset (outlives artifact retention). */
  release_tag?: string;
  asset?: string;
}

/**
 * The format of the payloads this suite writes, stamped by ReleaseRecords.create. A reader
 * acts only on the formats it knows: a payload of a newer format (written by a later rollgate,
 * whose rules this one cannot know) is left out like any record it cannot validate. Payloads
 * written before the field existed have the same shape: they read as format 1.
 */
export const PAYLOAD_FORMAT = 1;

export interface ReleasePayload {
  /** PAYLOAD_FORMAT when written (absent on records written before it). */
  format?: number;
  version: string;
  tag?: string;
  commit?: string;
  artifact?: ArtifactRef;
  /** The version serving before this one. */
  stable?: string;
  /** Where this version is served. */
  address?: string;
  /** The slot this version went into (`slots`), by name. */
  slot?: string;
  /** Where the stable version was served when this canary started (promote and abort use it). */
  stable_address?: string;
  /** The canary's traffic steps and time per step, so a later promote goes on the same way. */
  rollout?: { steps: number[]; interval_ms: number };
  /** A phased release's plan (the targets of each batch, the time each is judged, its pause), so promote.yml goes on the same way. */
  phased?: PhasedPlan;
  kind?: 'canary' | 'phased' | 'rollback' | 'deploy';
  /** The workflow run and attempt that wrote the record (a re-run closes its own earlier one). */
  run?: { id: string; attempt: number };
  rollback_of?: { version: string; deployment_id: number };
  /** A rollback that put the release back on every target of a fleet (a phased release's). */
  fleet?: boolean;
  /** What the writer read of the environment before it wrote this record (environment-state.ts). */
  index?: RecordIndex;
  /** The record of the previous environment of a chain this release was admitted from (same artifact). */
  promoted_from?: { environment: string; deployment_id: number };
}

/**
 * The environment as the writer of a record read it, so a later reader need not read the whole
 * history again: the newest deployment then (`head`: every record up to it is summed up here),
 * the live release and the open records (rollouts and rollbacks not settled). A reader checks
 * each named record again (its provenance and its status now); the index only says where to look.
 */
export interface RecordIndex {
  head: number;
  live?: number;
  open: number[];
}

/** When a phased release stops for a person: never, after every batch but the last, or after the first. */
export type PhasedPause = 'auto' | 'manual' | 'first';
export const PHASED_PAUSES: readonly PhasedPause[] = ['auto', 'manual', 'first'];

export interface PhasedPlan {
  batches: { name: string; address: string; zone?: string }[][];
  interval_ms: number;
  pause: PhasedPause;
}

const SERVER_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** A target's address as the `targets` input takes it: an IPv4 address and a port (no host name, no unix socket). */
const TARGET_ADDRESS = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d):(?:[1-9]\d{0,4})$/;

/** Why a recorded phased plan is not one the phased action writes, or undefined. */
function phasedProblem(plan: unknown): string | undefined {
  if (!plan || typeof plan !== 'object') return 'phased is not an object';
  const p = plan as Record<string, unknown>;
  if (!PHASED_PAUSES.includes(p.pause as PhasedPause)) return 'phased.pause is not auto, manual or first';
  const ms = p.interval_ms;
  if (!Number.isInteger(ms) || (ms as number) < 1000 || (ms as number) > 86_400_000)
    return 'phased.interval_ms is out of range';
  if (!Array.isArray(p.batches) || p.batches.length < 1 || p.batches.length > 1000)
    return 'phased.batches is not a list of batches';
  const names = new Set<string>();
  for (const batch of p.batches as unknown[]) {
    if (!Array.isArray(batch) || batch.length < 1) return 'phased.batches holds a batch that is not a list of targets';
    for (const t of batch as { name?: unknown; address?: unknown; zone?: unknown }[]) {
      if (!t || typeof t.name !== 'string' || !SERVER_NAME.test(t.name) || names.has(t.name))
        return 'phased.batches holds a target without a unique server name';
      if (typeof t.address !== 'string' || !TARGET_ADDRESS.test(t.address) || Number(t.address.split(':')[1]) > 65_535)
        return `phased.batches: ${t.name}'s address is not an IPv4 address and port (as the targets input takes)`;
      if (t.zone !== undefined && (typeof t.zone !== 'string' || !SERVER_NAME.test(t.zone)))
        return `phased.batches: ${t.name}'s zone is not a name (as the targets input takes)`;
      names.add(t.name);
    }
  }
  return undefined;
}

/**
 * A run id as GitHub writes it: digits without a leading zero (`"0123"` would name run 123 under
 * another spelling, and twins are told apart by the number). Given as a string, as the suite writes it.
 */
export const isRunId = (v: unknown): v is string => typeof v === 'string' && /^[1-9]\d{0,15}$/.test(v);
/** A run attempt: GitHub numbers them from 1. */
const isAttempt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= 10_000;

const isId = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;

/** Why a recorded index is not one the suite writes, or undefined. */
function indexProblem(index: unknown): string | undefined {
  if (!index || typeof index !== 'object') return 'index is not an object';
  const x = index as Record<string, unknown>;
  if (!Number.isSafeInteger(x.head) || (x.head as number) < 0) return 'index.head is not a deployment id';
  if (x.live !== undefined && !isId(x.live)) return 'index.live is not a deployment id';
  if (!Array.isArray(x.open) || x.open.length > 20 || !x.open.every(isId))
    return 'index.open is not a list of deployment ids';
  return undefined;
}

/**
 * Why a payload cannot have been written by this suite (a value fails the validator every
 * action applies to what it writes), or undefined when it passes. Such a record is never
 * acted on: history() leaves it out and says so.
 */
export function payloadProblem(payload: unknown): string | undefined {
  if (!payload || typeof payload !== 'object') return 'no payload object';
  const p = payload as Record<string, unknown>;
  if (p.format !== undefined && p.format !== PAYLOAD_FORMAT)
    return Number.isInteger(p.format) && (p.format as number) > PAYLOAD_FORMAT
      ? `format ${p.format as number} is newer than this rollgate reads (${PAYLOAD_FORMAT}): upgrade the actions`
      : `format ${JSON.stringify(p.format)?.slice(0, 20)} is not a payload format`;
  const checks: [ValueKind, unknown, string, boolean][] = [
    ['version', p.version, 'version', true],
    ['version', p.stable, 'stable', false],
    ['address', p.address, 'address', false],
    ['address', p.stable_address, 'stable_address', false],
    ['version', p.tag, 'tag', false],
    ['name', p.slot, 'slot', false],
  ];
  const artifact = p.artifact as Record<string, unknown> | undefined;
  if (artifact !== undefined) {
    if (!artifact || typeof artifact !== 'object') return 'artifact is not an object';
    checks.push(
      ['name', artifact.name, 'artifact.name', true],
      ['digest', artifact.digest, 'artifact.digest', false],
      ['name', artifact.asset, 'artifact.asset', false],
      ['version', artifact.release_tag, 'artifact.release_tag', false],
    );
    if (artifact.run_id !== undefined && !isRunId(artifact.run_id)) return 'artifact.run_id is not a run id';
  }
  if (p.fleet !== undefined && typeof p.fleet !== 'boolean') return 'fleet is not true or false';
  const run = p.run as { id?: unknown; attempt?: unknown } | undefined;
  if (run !== undefined && (!run || !isRunId(run.id) || !isAttempt(run.attempt)))
    return 'run is not a workflow run id and attempt';
  const rollout = p.rollout as { steps?: unknown; interval_ms?: unknown } | undefined;
  if (rollout !== undefined) {
    const steps = rollout?.steps;
    if (!Array.isArray(steps) || !steps.every((s) => Number.isInteger(s) && s >= 1 && s <= 100))
      return 'rollout.steps is not a list of percentages';
    if (
      !Number.isInteger(rollout?.interval_ms) ||
      (rollout.interval_ms as number) < 1000 ||
      (rollout.interval_ms as number) > 86_400_000
    )
      return 'rollout.interval_ms is out of range';
  }
  if (p.phased !== undefined) {
    const why = phasedProblem(p.phased);
    if (why) return why;
  }
  if (p.index !== undefined) {
    const why = indexProblem(p.index);
    if (why) return why;
  }
  const from = p.promoted_from as { environment?: unknown; deployment_id?: unknown } | undefined;
  if (from !== undefined) {
    if (!from || !isId(from.deployment_id)) return 'promoted_from.deployment_id is not a deployment id';
    // GitHub's environment names: up to 255 characters (no control characters here).
    const name = from.environment;
    if (
      typeof name !== 'string' ||
      name.length < 1 ||
      name.length > 255 ||
      [...name].some((c) => c < ' ' || c === '\x7f')
    )
      return 'promoted_from.environment is not an environment name';
  }
  for (const [kind, value, field, required] of checks) {
    if (value === undefined && !required) continue;
    if (!isValid(kind, value))
      return `${field} ${JSON.stringify(value)?.slice(0, 40) ?? 'missing'} is not ${VALUE_RULES[kind].description}`;
  }
  return undefined;
}
