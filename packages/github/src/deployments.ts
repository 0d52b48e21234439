/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */
import { redact, type Logger } from '@rollgate/kit';
import { PAYLOAD_FORMAT, type RecordIndex, type ReleasePayload } from './payload.js';
import { apiStats, type GitHub } from './client.js';
import { EnvironmentReader, cleanDescription, type EnvironmentState } from './environment-state.js';
import type { Repo } from './releases.js';
import type { DeploymentRecord, DeploymentState, RecordStatus, RecordVerifier } from './record.js';

export * from './payload.js';
export { isOpenState, STATE_REQUEST_LIMIT, type EnvironmentState } from './environment-state.js';
export type { DeploymentRecord, DeploymentState, RecordStatus, RecordVerifier } from './record.js';

/** GitHub limits a status description to 140 characters. */
export function statusText(text: string): string {
  const s = redact(text);
  return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}

export class ReleaseRecords {
  private readonly reader: EnvironmentReader;
  /** The run attempts this writer created records for (a run attempt writes one record per environment). */
  private readonly created = new Map<string, number>();

  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
    readonly environment: string,
    /** Where to say that a record is ignored (the runner's log in an action: kit's actionsLogger). */
    private readonly logger?: Logger,
    /** Traces each record to the run that wrote it; without it (unit tests only) payloads are only validated. */
    readonly provenance?: RecordVerifier,
    /** This run's URL (with its attempt): every status this writer posts names it (log_url), so readers can trace it. */
    private readonly logUrl?: string,
  ) {
    this.reader = new EnvironmentReader(gh, repo, environment, provenance, logger, () => apiStats(gh).requests);
  }

  /**
   * Creates this run's record, with the index of what the run read (`read`: the state it decided
   * on), so later readers need not walk past it. One record per run attempt and environment.
   */
  async create(
    ref: string,
    payload: ReleasePayload,
    description: string,
    read: EnvironmentState,
    options: { transient?: boolean; production?: boolean } = {},
  ): Promise<number> {
    const claim = payload.run ? `${Number(payload.run.id)}/${payload.run.attempt}` : undefined;
    const earlier = claim ? this.created.get(claim) : undefined;
    if (earlier !== undefined)
      throw new Error(
        `This run already wrote deployment ${earlier} in ${this.environment}: a run attempt writes one record per environment.`,
      );
    const index: RecordIndex = {
      head: read.head,
      ...(read.live ? { live: read.live.id } : {}),
      open: read.open.map((r) => r.id).slice(0, 20),
    };
    const res = await this.gh.rest.repos.createDeployment({
      ...this.repo,
      ref,
      environment: this.environment,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      payload: { ...payload, format: PAYLOAD_FORMAT, index } as unknown as { [key: string]: unknown },
      description: statusText(description),
      ...(options.transient !== undefined ? { transient_environment: options.transient } : {}),
      ...(options.production !== undefined ? { production_environment: options.production } : {}),
    });
    if (res.status !== 201)
      throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
    const id = (res.data as { id: number }).id;
    if (claim) this.created.set(claim, id);
    return id;
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
      ...((extra.logUrl ?? this.logUrl) ? { log_url: extra.logUrl ?? this.logUrl } : {}),
      ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
    });
  }

  /** The latest status of one deployment (its state 'none' before any status); a conditional request. */
  async latest(id: number): Promise<{ state: DeploymentState | 'none'; description: string }> {
    const [s] = await this.statuses(id, 1);
    return { state: s?.state ?? 'none', description: s?.description ?? '' };
  }

  /** The recent statuses of one deployment, newest first (what else wrote to it while a run moves it). */
  async statuses(id: number, limit = 20): Promise<RecordStatus[]> {
    const { data } = await this.gh.rest.repos.listDeploymentStatuses({
      ...this.repo,
      deployment_id: id,
      per_page: limit,
    });
    return data.map((s) => ({
      state: s.state as DeploymentState,
      description: cleanDescription(s.description),
      created_at: s.created_at,
      log_url: s.log_url ?? '',
    }));
  }

  /**
   * Why a status was not written by a trusted run of the suite (the run its log_url names passes
   * provenance and had a job running when the status was written), or undefined. Without a
   * verifier (unit tests of the state machines) every status is taken as written.
   */
  async statusProblem(status: RecordStatus): Promise<string | undefined> {
    if (!this.provenance?.statusProblem) return undefined;
    if (this.logUrl && status.log_url === this.logUrl) return undefined;
    return this.provenance.statusProblem(status);
  }

  /** This writer's own run (its log_url): statuses it wrote itself. */
  ownStatus(status: RecordStatus): boolean {
    return !!this.logUrl && status.log_url === this.logUrl;
  }

  /** The environment now: live, open and the records that matter, exact at any depth (environment-state.ts). */
  state(): Promise<EnvironmentState> {
    return this.reader.read();
  }

  /** Every record of the environment, read to the end: the last resort for records written before indexes. */
  whole(): Promise<EnvironmentState> {
    return this.reader.whole();
  }

  /**
   * One trusted record by id (rollback's to-deployment), with its status; undefined when there
   * is none in this environment; an error naming why when it is not trusted.
   */
  async record(id: number): Promise<DeploymentRecord | undefined> {
    return this.reader.trusted(id);
  }

  /** The trusted records of one commit in this environment, newest first (a release's records, at any depth). */
  ofCommit(sha: string): Promise<DeploymentRecord[]> {
    return this.reader.ofCommit(sha);
  }

  /** Marks the given records inactive (the releases a new live one replaced). */
  async retire(ids: number[], keep: number): Promise<number[]> {
    const retired: number[] = [];
    for (const id of ids) {
      if (id === keep) continue;
      await this.status(id, 'inactive', `replaced by deployment ${keep}`);
      retired.push(id);
    }
    return retired;
  }
}
