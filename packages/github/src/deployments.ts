/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */
import { redact, type Logger } from '@rollgate/kit';
import { PAYLOAD_FORMAT, payloadProblem, type ReleasePayload } from './payload.js';
import type { GitHub } from './client.js';
import type { Repo } from './releases.js';

export * from './payload.js';

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

  /** The recent statuses of one deployment, newest first (what else wrote to it while a run moves it). */
  async statuses(id: number, limit = 20): Promise<{ state: DeploymentState; description: string }[]> {
    const { data } = await this.gh.rest.repos.listDeploymentStatuses({
      ...this.repo,
      deployment_id: id,
      per_page: limit,
    });
    return data.map((s) => ({ state: s.state as DeploymentState, description: cleanDescription(s.description) }));
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
