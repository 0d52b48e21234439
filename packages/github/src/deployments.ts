/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */
import { isValid, redact, VALUE_RULES, type Logger, type ValueKind } from '@rollgate/kit';
import type { GitHub } from './client.js';
import type { Repo } from './releases.js';

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
  /** Where the stable version was served when this canary started (promote and abort use it). */
  stable_address?: string;
  /** The canary's traffic steps and time per step, so a later promote goes on the same way. */
  rollout?: { steps: number[]; interval_ms: number };
  kind?: 'canary' | 'phased' | 'rollback' | 'deploy';
  /** The workflow run and attempt that wrote the record (a re-run closes its own earlier one). */
  run?: { id: string; attempt: number };
  rollback_of?: { version: string; deployment_id: number };
  /** A rollback that put the release back on every target of a fleet (a phased release's). */
  fleet?: boolean;
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  created_at: string;
  payload: ReleasePayload;
  /** Latest status (newest first in GitHub's list). */
  state: DeploymentState | 'none';
  description: string;
  /** Whether any status of this deployment was `success`. */
  everSucceeded: boolean;
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
    if (artifact.run_id !== undefined && !/^\d{1,20}$/.test(String(artifact.run_id)))
      return 'artifact.run_id is not a run id';
  }
  if (p.fleet !== undefined && typeof p.fleet !== 'boolean') return 'fleet is not true or false';
  const run = p.run as { id?: unknown; attempt?: unknown } | undefined;
  if (run !== undefined && (!run || !/^\d{1,20}$/.test(String(run.id)) || !Number.isInteger(run.attempt)))
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
  for (const [kind, value, field, required] of checks) {
    if (value === undefined && !required) continue;
    if (!isValid(kind, value))
      return `${field} ${JSON.stringify(value)?.slice(0, 40) ?? 'missing'} is not ${VALUE_RULES[kind].description}`;
  }
  return undefined;
}

/** GitHub limits a status description to 140 characters. */
export function statusText(text: string): string {
  const s = redact(text);
  return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}

/** Traces a record to the run that wrote it (provenance.ts): why it cannot be trusted, or undefined. */
export interface RecordVerifier {
  problem(record: {
    id: number;
    sha: string;
    created_at: string;
    payload: ReleasePayload;
  }): Promise<string | undefined>;
}

export class ReleaseRecords {
  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
    readonly environment: string,
    /** Where to say that a record is ignored (the runner's log in an action: kit's actionsLogger). */
    private readonly logger?: Logger,
    /** Traces each record to the run that wrote it; without it (unit tests only) payloads are only validated. */
    readonly provenance?: RecordVerifier,
  ) {}

  async create(
    ref: string,
    payload: ReleasePayload,
    description: string,
    options: { transient?: boolean; production?: boolean } = {},
  ): Promise<number> {
    const res = await this.gh.rest.repos.createDeployment({
      ...this.repo,
      ref,
      environment: this.environment,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      payload: { ...payload, format: PAYLOAD_FORMAT } as unknown as { [key: string]: unknown },
      description: statusText(description),
      ...(options.transient !== undefined ? { transient_environment: options.transient } : {}),
      ...(options.production !== undefined ? { production_environment: options.production } : {}),
    });
    if (res.status !== 201)
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
    return (res.data as { id: number }).id;
  }

  async status(
    id: number,
    state: DeploymentState,
    description: string,
    extra: { logUrl?: string; environmentUrl?: string } = {},
  ): Promise<void> {
    await this.gh.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description: statusText(description),
      environment: this.environment,
      auto_inactive: false,
      ...(extra.logUrl ? { log_url: extra.logUrl } : {}),
      ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
    });
  }

  /** The latest status of one deployment (its state 'none' before any status). */
  async latest(id: number): Promise<{ state: DeploymentState | 'none'; description: string }> {
    const { data } = await this.gh.rest.repos.listDeploymentStatuses({ ...this.repo, deployment_id: id, per_page: 1 });
    const s = data[0];
    return {
      state: (s?.state as DeploymentState | undefined) ?? 'none',
      description: cleanDescription(s?.description),
    };
  }

  /** Records left out of the last history() because their payload fails the validator: id and why. */
  refused: { id: number; why: string }[] = [];
  private readonly warned = new Set<number>();

  /**
   * Recent deployments of the environment, newest first, with their state. A record whose
   * payload this suite could not have written is left out (and listed in `refused`).
   */
  async history(limit = 30): Promise<DeploymentRecord[]> {
    const list = await this.gh.rest.repos.listDeployments({
      ...this.repo,
      environment: this.environment,
      per_page: Math.min(limit, 100),
    });
    this.refused = [];
    const refuse = (id: number, why: string) => {
      this.refused.push({ id, why });
      // Said once per record, however often a run reads the history (waits poll it).
      if (this.warned.has(id)) return;
      this.warned.add(id);
      this.logger?.warning(`Deployment ${id} in ${this.environment} is not trusted and is ignored: ${why}.`);
    };
    const candidates: { d: (typeof list.data)[number]; payload: ReleasePayload }[] = [];
    for (const d of list.data.slice(0, limit)) {
      const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
      const problem = payloadProblem(raw);
      if (problem) refuse(d.id, problem);
      else candidates.push({ d, payload: raw as ReleasePayload });
    }
    // One record per run attempt and environment: a second record claiming the same run is a
    // copy (the payload is anyone's to write), and which one is the copy cannot be told apart.
    const claims = new Map<string, number[]>();
    for (const { d, payload } of candidates) {
      if (!payload.run) continue;
      const key = `${payload.run.id}/${payload.run.attempt}`;
      claims.set(key, [...(claims.get(key) ?? []), d.id]);
    }
    const out: DeploymentRecord[] = [];
    for (const { d, payload } of candidates) {
      const twins = payload.run
        ? (claims.get(`${payload.run.id}/${payload.run.attempt}`) ?? []).filter((id) => id !== d.id)
        : [];
      const problem = twins.length
        ? `it claims run ${payload.run?.id} attempt ${payload.run?.attempt}, as deployment ${twins.join(', ')} does`
        : await this.provenance?.problem({ id: d.id, sha: d.sha, created_at: d.created_at, payload });
      if (problem) {
        refuse(d.id, problem);
        continue;
      }
      const statuses = await this.gh.rest.repos.listDeploymentStatuses({
        ...this.repo,
        deployment_id: d.id,
        per_page: 100,
      });
      const latest = statuses.data[0];
      out.push({
        id: d.id,
        sha: d.sha,
        ref: d.ref,
        created_at: d.created_at,
        payload,
        state: (latest?.state as DeploymentState | undefined) ?? 'none',
        description: cleanDescription(latest?.description),
        everSucceeded: statuses.data.some((s) => s.state === 'success'),
      });
    }
    return out;
  }

  /** Marks every other deployment whose latest state is success as inactive. */
  async retireOthers(keep: number, history?: DeploymentRecord[]): Promise<number[]> {
    const records = history ?? (await this.history());
    const retired: number[] = [];
    for (const r of records) {
      if (r.id === keep || r.state !== 'success') continue;
      await this.status(r.id, 'inactive', `replaced by deployment ${keep}`);
      retired.push(r.id);
    }
    return retired;
  }
}

/**
 * A status description is free text anyone with deployments: write can set: no line breaks or
 * control characters reach a log line (where a newline could start a workflow command).
 */
function cleanDescription(text: string | null | undefined): string {
  return (text ?? '').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}
