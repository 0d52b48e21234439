/** The GitHub REST emulator's repository state and helpers (routes-*.ts serve the endpoints from it). */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpEmulator, type Handler, type Reply, type Request } from './server.js';
import { missing, type Grants } from './permissions.js';
import { error } from './objects.js';
import { RateLimits, type LimitSettings } from './limits.js';
import type { StoredAsset, StoredDeployment, StoredRelease, StoredRun, StoredStatus } from './state.js';

export interface EmulatorOptions {
  /** Path of the bare repository that stands for the GitHub repository. */
  remote: string;
  owner?: string;
  repo?: string;
  /** The repository's default branch (default main). */
  defaultBranch?: string;
  /** A private repository: reading needs the token's scopes too (default: public). */
  private?: boolean;
  /** The time GitHub stamps on what it creates (default the real time; state-machine tests pass a virtual clock's). */
  clock?: () => number;
  /** GitHub's rate limits (limits.ts; default GitHub's own numbers), or false for none. */
  limits?: LimitSettings | false;
}

export class EmulatorCore extends HttpEmulator {
  readonly remote: string;
  readonly owner: string;
  readonly repo: string;
  readonly state = {
    releases: [] as StoredRelease[],
    assets: [] as StoredAsset[],
    deployments: [] as StoredDeployment[],
    statuses: [] as StoredStatus[],
    runs: [] as StoredRun[],
  };
  readonly defaultBranch: string;
  readonly isPrivate: boolean;
  /** Tokens the workflow runner issued for jobs, with the scopes their permissions granted. */
  private readonly tokens = new Map<string, Grants>();
  /** Requests refused for a missing scope: what was called and what it lacked. */
  readonly denials: { method: string; route: string; lacks: string }[] = [];
  private id = 1000;
  /** The time GitHub stamps on what it creates, in ms. */
  clock: () => number;
  /** The rate limits in force (undefined: none). */
  readonly limits: RateLimits | undefined;

  constructor(options: EmulatorOptions) {
    super();
    this.remote = options.remote;
    this.owner = options.owner ?? 'octo-org';
    this.repo = options.repo ?? 'service';
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.isPrivate = options.private ?? false;
    this.clock = options.clock ?? Date.now;
    this.limits = options.limits === false ? undefined : new RateLimits(options.limits ?? {});
  }

  /** Now, as GitHub writes timestamps (seconds, UTC). */
  now(): string {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  get repoUrl(): string {
    return `${this.url}/repos/${this.owner}/${this.repo}`;
  }

  nextId(): number {
    return ++this.id;
  }

  /** How many job tokens were issued. */
  get tokensIssued(): number {
    return this.tokens.size;
  }

  /** A job's GITHUB_TOKEN carrying `grants`; requests with it are held to them. */
  issueToken(grants: Grants): string {
    const token = `ghs_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, grants);
    return token;
  }

  /**
   * Tokens the runner issued are held to their job's permissions (see permissions.ts); other
   * tokens (tests calling the API directly, as an admin would) are not.
   */
  protected override authorize(method: string, template: string, headers: IncomingHttpHeaders): Reply | undefined {
    const token = tokenOf(headers);
    const grants = this.tokens.get(token);
    const limited = this.limits?.check(method, template, token, grants !== undefined);
    if (limited) return limited;
    if (!grants) return undefined;
    const lacks = missing(grants, method, template, this.isPrivate);
    if (!lacks) return undefined;
    this.denials.push({ method, route: template, lacks });
    return error(403, 'Resource not accessible by integration');
  }

  protected override finish(method: string, headers: IncomingHttpHeaders, reply: Reply): Reply {
    if (!this.limits) return reply;
    const token = tokenOf(headers);
    const etag = headers['if-none-match'];
    return this.limits.finish(
      method,
      token,
      this.tokens.has(token),
      typeof etag === 'string' ? etag : undefined,
      reply,
    );
  }

  /**
   * Records a workflow run of this repository, as GitHub does when a workflow starts (the
   * workflow runner and tests call it); GET .../actions/runs/{id} answers from here, and a run
   * never registered is 404, as on GitHub. A re-run (same id, next attempt) keeps the run's
   * created_at and its earlier attempts. Without `jobs: []`, the run has one job spanning it (a
   * test standing for a whole run); the workflow runner passes none and starts each job itself.
   */
  startRun(
    run: Partial<Omit<StoredRun, 'jobs' | 'attempts'>> & { id: number; head_sha: string; jobs?: [] },
  ): StoredRun {
    const earlier = this.state.runs.find((r) => r.id === run.id);
    const attempt = run.run_attempt ?? (earlier ? earlier.run_attempt + 1 : 1);
    const { jobs, ...fields } = run;
    const stored: StoredRun = {
      event: 'push',
      head_branch: this.defaultBranch,
      path: '.github/workflows/pipeline.yml',
      status: 'in_progress',
      conclusion: null,
      created_at: earlier?.created_at ?? this.now(),
      updated_at: this.now(),
      run_started_at: this.now(),
      head_repository: this.repository,
      referenced_workflows: [],
      ...fields,
      run_attempt: attempt,
      jobs: earlier?.jobs ?? [],
      attempts: earlier ? [...earlier.attempts, withoutHistory(earlier)] : [],
    };
    this.state.runs = this.state.runs.filter((r) => r.id !== run.id);
    this.state.runs.push(stored);
    if (!jobs) this.startJob(run.id, 'run');
    return stored;
  }

  /** A job of the run's current attempt: queued, or waiting (an environment's protection rules), or started on a runner now. */
  startJob(runId: number, name: string, status: 'in_progress' | 'waiting' | 'queued' = 'in_progress'): void {
    const run = this.state.runs.find((r) => r.id === runId);
    if (!run) return;
    const existing = run.jobs.find((j) => j.name === name && j.attempt === run.run_attempt);
    const started = status === 'in_progress' ? this.now() : null;
    if (existing)
      Object.assign(existing, {
        status,
        started_at: existing.started_at ?? started,
        runner_name: started ? 'local' : null,
      });
    else
      run.jobs.push({
        id: this.nextId(),
        name,
        attempt: run.run_attempt,
        status,
        conclusion: null,
        created_at: this.now(),
        started_at: started,
        completed_at: null,
        runner_name: started ? 'local' : null,
      });
    if (status === 'waiting') run.status = 'waiting';
    else if (run.status === 'waiting' && !run.jobs.some((j) => j.status === 'waiting')) run.status = 'in_progress';
    run.updated_at = this.now();
  }

  /** A reusable workflow the run called (GitHub lists them in the run's referenced_workflows). */
  referenceWorkflow(runId: number, path: string): void {
    const run = this.state.runs.find((r) => r.id === runId);
    if (run && !run.referenced_workflows.includes(path)) run.referenced_workflows.push(path);
  }

  /** A job of the run's current attempt ended. */
  finishJob(
    runId: number,
    name: string,
    conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' = 'success',
  ): void {
    const run = this.state.runs.find((r) => r.id === runId);
    const job = run?.jobs.find((j) => j.name === name && j.attempt === run.run_attempt && j.status !== 'completed');
    if (!run || !job) return;
    Object.assign(job, { status: 'completed', conclusion, completed_at: this.now() });
    if (run.status === 'waiting' && !run.jobs.some((j) => j.status === 'waiting')) run.status = 'in_progress';
    run.updated_at = this.now();
  }

  /** Marks a run completed (its updated_at is then when it ended); jobs still open end with it. */
  finishRun(id: number, conclusion: 'success' | 'failure' | 'cancelled' = 'success'): void {
    const run = this.state.runs.find((r) => r.id === id);
    if (!run) return;
    for (const j of run.jobs)
      if (j.attempt === run.run_attempt && j.status !== 'completed')
        Object.assign(j, {
          status: 'completed',
          conclusion: j.started_at ? conclusion : 'cancelled',
          completed_at: this.now(),
        });
    Object.assign(run, { status: 'completed', conclusion, updated_at: this.now() });
  }

  /** A route under /repos/{owner}/{repo}: other repositories answer 404. */
  repoRoute(method: string, template: string, handler: Handler, options: { prefix?: string } = {}): void {
    this.route(
      method,
      template,
      (req) =>
        req.params.owner === this.owner && req.params.repo === this.repo ? handler(req) : error(404, 'Not Found'),
      options,
    );
  }

  /** `per_page` (default 30, max 100) and `page` as GitHub paginates. */
  page<T>(req: Request, items: T[]): T[] {
    const per = Math.min(Number(req.query.get('per_page') ?? 30) || 30, 100);
    const page = Math.max(Number(req.query.get('page') ?? 1) || 1, 1);
    return items.slice((page - 1) * per, page * per);
  }
}

/** The token a request carries (empty without one). */
function tokenOf(headers: IncomingHttpHeaders): string {
  return String(headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '');
}

/** A run as its attempt ended, without the jobs and earlier attempts it carries. */
function withoutHistory(run: StoredRun): Omit<StoredRun, 'attempts' | 'jobs'> {
  const { attempts: _attempts, jobs: _jobs, ...rest } = run;
  return rest;
}
