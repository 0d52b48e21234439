/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */
import { redact } from '@rollgate/kit';
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

export interface ReleasePayload {
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
  kind?: 'canary' | 'rollback' | 'deploy';
  rollback_of?: { version: string; deployment_id: number };
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

/** GitHub limits a status description to 140 characters. */
export function statusText(text: string): string {
  const s = redact(text);
  return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}

export class ReleaseRecords {
  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
    readonly environment: string,
  ) {}

  async create(ref: string, payload: ReleasePayload, description: string, options: { transient?: boolean; production?: boolean } = {}): Promise<number> {
    const res = await this.gh.rest.repos.createDeployment({
      ...this.repo,
      ref,
      environment: this.environment,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      payload: payload as unknown as { [key: string]: unknown },
      description: statusText(description),
      ...(options.transient !== undefined ? { transient_environment: options.transient } : {}),
      ...(options.production !== undefined ? { production_environment: options.production } : {}),
    });
    if (res.status !== 201) throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
    return (res.data as { id: number }).id;
  }

  async status(id: number, state: DeploymentState, description: string, extra: { logUrl?: string; environmentUrl?: string } = {}): Promise<void> {
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

  /** Recent deployments of the environment, newest first, with their state. */
  async history(limit = 30): Promise<DeploymentRecord[]> {
    const list = await this.gh.rest.repos.listDeployments({ ...this.repo, environment: this.environment, per_page: Math.min(limit, 100) });
    const out: DeploymentRecord[] = [];
    for (const d of list.data.slice(0, limit)) {
      const statuses = await this.gh.rest.repos.listDeploymentStatuses({ ...this.repo, deployment_id: d.id, per_page: 100 });
      const latest = statuses.data[0];
      const payload = (typeof d.payload === 'string' ? safeJson(d.payload) : d.payload) as ReleasePayload;
      out.push({
        id: d.id,
        sha: d.sha,
        ref: d.ref,
        created_at: d.created_at,
        payload,
        state: (latest?.state as DeploymentState | undefined) ?? 'none',
        description: latest?.description ?? '',
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

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}
