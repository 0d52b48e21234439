/**
 * GitHub environments and their deployment protection rules, as GitHub documents them for a
 * job that names an `environment:` ("Managing environments for deployment",
 * https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment):
 *
 * - Deployment branches and tags: a job whose ref the policy does not allow fails without
 *   running ("Branch "x" is not allowed to deploy to production due to environment protection
 *   rules.").
 * - Required reviewers (up to 6 users): the job waits with status "waiting" until one of them
 *   approves or rejects it; a rejected job fails the run; with prevent self-review, the user who
 *   started the run cannot approve it ("Reviewing deployments",
 *   https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/reviewing-deployments).
 *   Reviews go through the REST API: GET and POST /repos/{o}/{r}/actions/runs/{run_id}/pending_deployments
 *   (https://docs.github.com/en/rest/actions/workflow-runs#review-pending-deployments-for-a-workflow-run).
 * - Wait timer (0 to 43,200 minutes): the job waits that long after it is triggered.
 * - Environment variables and secrets: available to the job once the rules pass; a variable
 *   of the environment wins over the repository's of the same name ("Store information in
 *   variables": the lowest level wins).
 *
 * Environment names are case-insensitive on GitHub. Not modelled: the deployment GitHub itself
 * creates for such a job (the POST answers an empty list where GitHub lists those), teams as
 * reviewers, custom protection rules (GitHub Apps), and the 30-day approval limit.
 */
import { error, nodeId, user } from './objects.js';
import type { EmulatorCore } from './core.js';

export interface EnvironmentSettings {
  /** Required reviewers: user logins (GitHub allows up to 6). */
  reviewers?: string[];
  /** The user who started the run cannot approve it. */
  preventSelfReview?: boolean;
  /** Minutes the job waits after it is triggered (0..43200). */
  waitTimer?: number;
  /** Which refs may deploy: all (default), protected branches, or name patterns (fnmatch-like, `*` within a segment, `**` across). */
  deploymentBranches?: 'all' | 'protected' | { branches?: string[]; tags?: string[] };
  /** Branches the repository protects (for deploymentBranches: protected). */
  protectedBranches?: string[];
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

interface Environment extends EnvironmentSettings {
  id: number;
  name: string;
  created_at: string;
}

interface Pending {
  runId: number;
  job: string;
  environment: Environment;
  since: string;
  /** The login that started the run. */
  actor: string;
  settle: (review: { state: 'approved' | 'rejected'; by: string; comment: string }) => void;
}

/** What a job gets once it may run, or why it may not. */
export type Entry = { vars: Record<string, string>; secrets: Record<string, string> } | { refused: string };

/** `release/*` style patterns: `*` matches within a path segment, `**` across segments. */
function matches(pattern: string, name: string): boolean {
  const re = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${re}$`).test(name);
}

export class Environments {
  private readonly byName = new Map<string, Environment>();
  private readonly pending: Pending[] = [];
  /** Tokens of users (reviewers), by token. */
  private readonly users = new Map<string, string>();
  /** How long a wait-timer minute lasts here (tests shorten it; GitHub's is 60 s). */
  minuteMs = 60_000;

  constructor(private readonly gh: EmulatorCore) {}

  /** Creates or replaces an environment's settings (as a repository admin does in Settings). */
  configure(name: string, settings: EnvironmentSettings): void {
    const existing = this.byName.get(name.toLowerCase());
    if ((settings.reviewers?.length ?? 0) > 6) throw new Error(`environment ${name}: at most 6 required reviewers`);
    if ((settings.waitTimer ?? 0) < 0 || (settings.waitTimer ?? 0) > 43_200)
      throw new Error(`environment ${name}: a wait timer is 0 to 43200 minutes`);
    this.byName.set(name.toLowerCase(), {
      id: existing?.id ?? this.gh.nextId(),
      name: existing?.name ?? name,
      created_at: existing?.created_at ?? this.gh.now(),
      ...settings,
    });
  }

  get(name: string): Environment | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** A personal token of `login` (a reviewer calling the API). */
  userToken(login: string): string {
    const token = `ghp_${login}_${this.gh.nextId()}`;
    this.users.set(token, login);
    return token;
  }

  /** Jobs waiting for a review: run id, job, environment. */
  waiting(): { runId: number; job: string; environment: string }[] {
    return this.pending.map((p) => ({ runId: p.runId, job: p.job, environment: p.environment.name }));
  }

  /**
   * The rules a job passes before it runs: the ref policy at once, then the reviewers and the
   * wait timer (both from when the job was triggered). Unconfigured environments have none.
   */
  async enter(
    job: { runId: number; name: string; environment: string; ref: string; actor: string },
    waiting: () => void = () => {},
  ): Promise<Entry> {
    const env = this.get(job.environment);
    if (!env) return { vars: {}, secrets: {} };
    const refused = this.refPolicy(env, job.ref);
    if (refused) return { refused };
    const since = this.gh.now();
    if (env.reviewers?.length || env.waitTimer) waiting();
    const review = env.reviewers?.length
      ? new Promise<{ state: 'approved' | 'rejected'; by: string; comment: string }>((settle) =>
          this.pending.push({ runId: job.runId, job: job.name, environment: env, since, actor: job.actor, settle }),
        )
      : undefined;
    const timer = env.waitTimer
      ? new Promise((r) => setTimeout(r, (env.waitTimer as number) * this.minuteMs))
      : Promise.resolve();
    const [verdict] = await Promise.all([review, timer]);
    if (verdict?.state === 'rejected')
      return {
        refused: `The deployment to ${env.name} was rejected by ${verdict.by}${verdict.comment ? `: ${verdict.comment}` : ''}.`,
      };
    return { vars: env.vars ?? {}, secrets: env.secrets ?? {} };
  }

  private refPolicy(env: Environment, ref: string): string | undefined {
    const policy = env.deploymentBranches ?? 'all';
    if (policy === 'all') return undefined;
    const branch = /^refs\/heads\/(.+)$/.exec(ref)?.[1];
    const tag = /^refs\/tags\/(.+)$/.exec(ref)?.[1];
    const allowed =
      policy === 'protected'
        ? branch !== undefined && (env.protectedBranches ?? []).includes(branch)
        : branch !== undefined
          ? (policy.branches ?? []).some((p) => matches(p, branch))
          : tag !== undefined && (policy.tags ?? []).some((p) => matches(p, tag));
    if (allowed) return undefined;
    return tag !== undefined
      ? `Tag "${tag}" is not allowed to deploy to ${env.name} due to environment protection rules.`
      : `Branch "${branch ?? ref}" is not allowed to deploy to ${env.name} due to environment protection rules.`;
  }

  private json(env: Environment) {
    return {
      id: env.id,
      node_id: nodeId('Environment', env.id),
      name: env.name,
      url: `${this.gh.repoUrl}/environments/${encodeURIComponent(env.name)}`,
      html_url: `https://github.com/${this.gh.repository}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    };
  }

  /** The REST routes: an environment, and the reviews of a run's waiting jobs. */
  register(): void {
    const R = '/repos/{owner}/{repo}';
    this.gh.repoRoute('GET', `${R}/environments/{environment_name}`, (req) => {
      const env = this.get(decodeURIComponent(req.params.environment_name ?? ''));
      if (!env) return error(404, 'Not Found');
      const rules = [
        ...(env.waitTimer
          ? [{ id: env.id + 1, node_id: nodeId('Gate', env.id + 1), type: 'wait_timer', wait_timer: env.waitTimer }]
          : []),
        ...(env.reviewers?.length
          ? [
              {
                id: env.id + 2,
                node_id: nodeId('Gate', env.id + 2),
                type: 'required_reviewers',
                prevent_self_review: env.preventSelfReview ?? false,
                reviewers: env.reviewers.map((login) => ({ type: 'User', reviewer: this.reviewer(login) })),
              },
            ]
          : []),
      ];
      const policy = env.deploymentBranches ?? 'all';
      return {
        status: 200,
        body: {
          ...this.json(env),
          created_at: env.created_at,
          updated_at: env.created_at,
          protection_rules: rules,
          deployment_branch_policy:
            policy === 'all'
              ? null
              : { protected_branches: policy === 'protected', custom_branch_policies: policy !== 'protected' },
        },
      };
    });
    this.gh.repoRoute('GET', `${R}/actions/runs/{run_id}/pending_deployments`, (req) => {
      const login = this.users.get(tokenOf(req.headers.authorization));
      const mine = this.pending.filter((p) => String(p.runId) === req.params.run_id);
      return {
        status: 200,
        body: mine.map((p) => ({
          environment: this.json(p.environment),
          wait_timer: p.environment.waitTimer ?? 0,
          wait_timer_started_at: p.environment.waitTimer ? p.since : null,
          current_user_can_approve: login !== undefined && this.mayApprove(p, login),
          reviewers: (p.environment.reviewers ?? []).map((l) => ({ type: 'User', reviewer: this.reviewer(l) })),
        })),
      };
    });
    this.gh.repoRoute('POST', `${R}/actions/runs/{run_id}/pending_deployments`, (req) => {
      const login = this.users.get(tokenOf(req.headers.authorization));
      if (!login) return error(403, 'Resource not accessible by integration');
      const b = req.json() as { environment_ids?: unknown; state?: unknown; comment?: unknown };
      if (
        !Array.isArray(b.environment_ids) ||
        (b.state !== 'approved' && b.state !== 'rejected') ||
        typeof b.comment !== 'string'
      )
        return error(422, 'Invalid request: environment_ids, state (approved or rejected) and comment are required.');
      const ids = b.environment_ids as number[];
      const mine = this.pending.filter((p) => String(p.runId) === req.params.run_id && ids.includes(p.environment.id));
      if (!mine.length) return error(422, 'No pending deployment of this run waits in those environments.');
      const denied = mine.find((p) => !this.mayApprove(p, login));
      if (denied) return error(403, `${login} cannot review deployments to ${denied.environment.name} of this run.`);
      for (const p of mine) {
        this.pending.splice(this.pending.indexOf(p), 1);
        p.settle({ state: b.state, by: login, comment: b.comment });
      }
      return { status: 200, body: [] };
    });
  }

  private mayApprove(p: Pending, login: string): boolean {
    return (p.environment.reviewers ?? []).includes(login) && !(p.environment.preventSelfReview && login === p.actor);
  }

  private reviewer(login: string) {
    return { ...user(this.gh.url, login, 5000 + login.length), type: 'User', node_id: nodeId('User', login) };
  }
}

function tokenOf(header: string | string[] | undefined): string {
  return String(header ?? '').replace(/^(token|bearer)\s+/i, '');
}
