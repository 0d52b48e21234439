/**
 * Provenance of release records: a deployment record is acted on only if GitHub's own data
 * shows it came from this repository's pipeline. Anyone with `deployments: write` can write a
 * payload; nobody can make GitHub report a workflow run that did not happen. So a record must
 * name the run that wrote it (`payload.run`) and, when it carries an artifact, the run that
 * built it (`artifact.run_id`), and each run must:
 *   - exist in this repository (GET /repos/{owner}/{repo}/actions/runs/{run_id}, `actions: read`:
 *     https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run),
 *   - have run this repository's code, not a fork's (`head_repository`),
 *   - come from a workflow file under .github/workflows (not a dynamic workflow),
 *   - be a run of the suite's workflows (pipeline.yml, promote.yml, rollback.yml, or a workflow
 *     that calls one of them) or of a workflow named in `trusted-workflows`,
 *   - have been started by a push, a manual dispatch, a schedule or another run, never by a
 *     pull request or an issue event,
 *   - have run a commit that is on a trusted branch (the default branch unless the user names
 *     others): its head_branch is one, and the branch head is that commit or a descendant of it
 *     (a tag named like the branch is not the branch, and its commit need not be on it).
 * The build run's commit must be the record's commit (the deployment sha, `payload.commit`, the
 * release tag's commit). The record must claim an attempt the run had, and have been created
 * while a job of that attempt ran on a runner (a run queued or waiting for reviewers writes
 * nothing); a run attempt writes one record per environment (twins: environment-state.ts).
 * An artifact named by id must belong to the build run; a release asset must hang on the
 * release of the record's tag, and its digest (where GitHub reports one) be the recorded one.
 * Why not artifact attestations: they need Sigstore (public-good instance for public
 * repositories, GitHub Enterprise Cloud for private ones) and they prove where an artifact was
 * built, not who wrote a deployment record, so addresses and versions in a forged record would
 * still be trusted. See DESIGN notes in SECURITY.md.
 */
import { ActionError, InputError, type Inputs, type Logger } from '@rollgate/kit';
import type { GitHub } from './client.js';
import { commitOfTag, type Repo } from './releases.js';
import { ProvenanceError, RunReader, type RunFacts } from './runs.js';
import { ReleaseRecords, type ReleasePayload } from './deployments.js';

/** Events whose runs may write records. A pull request, comment or review never may. */
export const TRUSTED_EVENTS = ['push', 'workflow_dispatch', 'schedule', 'workflow_run', 'repository_dispatch'];

/** The suite's workflows: a run of one, or of a workflow that calls one, may write records. */
const SUITE_WORKFLOW = /(?:^|\/)\.github\/workflows\/(?:pipeline|promote|rollback|carry)\.ya?ml(?:@|$)/;

/** How far from a job's run a record it wrote may be stamped (GitHub's clocks, API latency). */
const SLACK_MS = 2 * 60_000;

export interface RecordToCheck {
  id: number;
  sha: string;
  created_at: string;
  payload: ReleasePayload;
}

export { ProvenanceError };

export class Provenance {
  private readonly runs: RunReader;
  private readonly tags = new Map<string, Promise<string>>();
  private readonly verdicts = new Map<number, Promise<string | undefined>>();
  private branchesPromise: Promise<string[]> | undefined;

  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
    /** Branches whose runs may write records; empty: the repository's default branch. */
    private readonly trustedBranches: string[] = [],
    /** Workflow files (besides the suite's and those calling them) whose runs may write records. */
    private readonly trustedWorkflows: string[] = [],
  ) {
    this.runs = new RunReader(gh, repo);
  }

  private get fullName(): string {
    return `${this.repo.owner}/${this.repo.repo}`.toLowerCase();
  }

  /** The trusted branches (the default branch, looked up once, when none were named). */
  branches(): Promise<string[]> {
    this.branchesPromise ??= this.trustedBranches.length
      ? Promise.resolve(this.trustedBranches)
      : this.gh.rest.repos.get({ ...this.repo }).then((r) => [r.data.default_branch]);
    return this.branchesPromise;
  }

  /** Why run `id` cannot have written or built a trusted release, or undefined. */
  async runProblem(id: string): Promise<string | undefined> {
    const run = await this.runs.run(id);
    if (typeof run === 'string') return run;
    if (run.repository !== this.fullName) return `run ${id} belongs to ${run.repository}`;
    if (run.headRepository !== this.fullName)
      return `run ${id} ran code from ${run.headRepository || 'another repository'} (a fork)`;
    const path = workflowPath(run.path, this.fullName);
    if (!path.startsWith('.github/workflows/'))
      return `run ${id} is not a run of a workflow file of this repository (${run.path})`;
    if (!TRUSTED_EVENTS.includes(run.event))
      return `run ${id} was started by ${run.event}, not by a push, dispatch or schedule`;
    const workflow = this.workflowProblem(run, path);
    if (workflow) return workflow;
    return this.branchProblem(run);
  }

  /** Only the suite's workflows, those calling them, and those the user names write records. */
  private workflowProblem(run: RunFacts, path: string): string | undefined {
    if (SUITE_WORKFLOW.test(path) || this.trustedWorkflows.includes(path)) return undefined;
    if (run.referencedWorkflows.some((w) => SUITE_WORKFLOW.test(w))) return undefined;
    return `run ${run.id} is a run of ${path}, which neither is nor calls the suite's pipeline.yml, promote.yml, rollback.yml or carry.yml (name a workflow that uses the actions directly in trusted-workflows)`;
  }

  /** The run's commit is on a trusted branch: named like one, and the branch head is it or a descendant. */
  private async branchProblem(run: RunFacts): Promise<string | undefined> {
    const branches = await this.branches();
    if (!branches.includes(run.headBranch))
      return `run ${run.id} ran on ${run.headBranch || 'no branch'}, not on ${branches.join(' or ')}`;
    if (await this.runs.onBranch(run.headSha, run.headBranch)) return undefined;
    return `run ${run.id} ran commit ${run.headSha.slice(0, 12)}, which is not on ${run.headBranch} (a tag or another ref named ${run.headBranch}, not the branch)`;
  }

  /** The commit run `id` ran on (after runProblem passed). */
  private async runSha(id: string): Promise<string> {
    const run = await this.runs.run(id);
    return typeof run === 'string' ? '' : run.headSha;
  }

  /** When run `id` was created (records of it cannot be older), epoch ms; undefined when it cannot be read. */
  async runStart(id: string): Promise<number | undefined> {
    const run = await this.runs.run(id).catch(() => undefined);
    return run && typeof run !== 'string' ? run.createdAt : undefined;
  }

  /** Why a record could not have been written by attempt `attempt` of run `run` at its time: the attempt, and a job running then. */
  private async writtenProblem(run: RunFacts, attempt: number, createdAt: string): Promise<string | undefined> {
    if (attempt > run.attempt)
      return `it claims attempt ${attempt} of run ${run.id}, which has had ${run.attempt} attempt(s)`;
    const at = Date.parse(createdAt);
    const jobs = await this.runs.jobWindows(run.id, attempt);
    const running = jobs.some((j) => at >= j.start - SLACK_MS && (j.end === undefined || at <= j.end + SLACK_MS));
    if (running) return undefined;
    return `it was created at ${createdAt}, when no job of run ${run.id} attempt ${attempt} was running (${run.status === 'waiting' || run.status === 'queued' ? `the run is ${run.status}` : 'outside the run'})`;
  }

  private tagCommit(tag: string): Promise<string> {
    let found = this.tags.get(tag);
    if (!found) {
      found = commitOfTag(this.gh, this.repo, tag).catch(() => '');
      this.tags.set(tag, found);
    }
    return found;
  }

  /**
   * Why a deployment status cannot be traced to a run of the suite: its log_url must name a run
   * of this repository (`.../<owner>/<repo>/actions/runs/<id>[/attempts/<n>]`) that passes the
   * writer's rules and had a job running when the status was written. Anyone with
   * deployments: write can post a status; nobody can make GitHub report a run that was not there.
   */
  async statusProblem(status: { created_at: string; log_url: string }): Promise<string | undefined> {
    const m = /\/([^/]+)\/([^/]+)\/actions\/runs\/([1-9]\d{0,15})(?:\/attempts\/([1-9]\d{0,4}))?\/?$/.exec(
      status.log_url,
    );
    if (!m || `${m[1]}/${m[2]}`.toLowerCase() !== this.fullName)
      return `its log_url ${JSON.stringify(status.log_url.slice(0, 80))} names no run of ${this.fullName}`;
    const id = m[3] as string;
    const writer = await this.runProblem(id);
    if (writer) return writer;
    const run = (await this.runs.run(id)) as RunFacts;
    return this.writtenProblem(run, Number(m[4] ?? run.attempt), status.created_at);
  }

  /**
   * Why a record cannot be traced to this repository's pipeline, or undefined when it can. A
   * deployment's payload, commit and creation time never change, so the verdict is kept: the
   * history is read again and again (every poll of a wait) without asking GitHub again.
   */
  problem(record: RecordToCheck): Promise<string | undefined> {
    let verdict = this.verdicts.get(record.id);
    if (!verdict) {
      verdict = this.check(record);
      this.verdicts.set(record.id, verdict);
    }
    return verdict;
  }

  private async check(record: RecordToCheck): Promise<string | undefined> {
    const p = record.payload;
    if (!p.run)
      return 'it names no workflow run (records written before rollgate checked provenance, or not by rollgate)';
    const writer = await this.runProblem(p.run.id);
    if (writer) return writer;
    const run = (await this.runs.run(p.run.id)) as RunFacts;
    const written = await this.writtenProblem(run, p.run.attempt, record.created_at);
    if (written) return written;
    if (p.commit !== undefined && p.commit !== record.sha)
      return `its payload commit ${p.commit.slice(0, 12)} is not the deployment's commit ${record.sha.slice(0, 12)}`;
    // The run that built the release: the artifact's, else the writer itself (a canary without an artifact).
    const builder = p.artifact?.run_id ?? (p.kind === 'rollback' ? undefined : p.run.id);
    if (!builder) return 'it is a rollback record without the run that built its artifact';
    if (builder !== p.run.id) {
      const built = await this.runProblem(builder);
      if (built) return `its artifact: ${built}`;
    }
    const builtSha = await this.runSha(builder);
    if (builtSha !== record.sha)
      return `run ${builder} built ${builtSha.slice(0, 12)}, not the deployment's commit ${record.sha.slice(0, 12)}`;
    if (p.tag !== undefined) {
      const tagged = await this.tagCommit(p.tag);
      if (tagged !== record.sha)
        return `tag ${p.tag} ${tagged ? `points at ${tagged.slice(0, 12)}` : 'does not exist'}, not at the deployment's commit ${record.sha.slice(0, 12)}`;
    }
    return this.artifactProblem(record, builder);
  }

  private async artifactProblem(record: RecordToCheck, builder: string): Promise<string | undefined> {
    const a = record.payload.artifact;
    if (!a) return undefined;
    if (a.id !== undefined) {
      try {
        const { data } = await this.gh.rest.actions.getArtifact({ ...this.repo, artifact_id: a.id });
        if (String(data.workflow_run?.id ?? '') !== builder)
          return `artifact ${a.id} was uploaded by run ${data.workflow_run?.id ?? 'unknown'}, not by run ${builder}`;
        if (data.name !== a.name) return `artifact ${a.id} is named ${data.name}, not ${a.name}`;
      } catch (error) {
        // Expired and deleted artifacts are gone (404/410): the release asset, if any, still counts.
        const status = (error as { status?: number }).status;
        if (status !== 404 && status !== 410) throw error;
        if (!a.release_tag) return `artifact ${a.id} no longer exists`;
      }
    }
    if (a.release_tag !== undefined) {
      const tagged = await this.tagCommit(a.release_tag);
      if (tagged !== record.sha)
        return `release ${a.release_tag} is not on the deployment's commit ${record.sha.slice(0, 12)}`;
      try {
        const { data } = await this.gh.rest.repos.getReleaseByTag({ ...this.repo, tag: a.release_tag });
        const asset = data.assets.find((x) => x.name === (a.asset ?? `${a.name}.tar.gz`));
        const digest = (asset as { digest?: string | null } | undefined)?.digest;
        if (asset && digest && digest !== a.digest)
          return `release ${a.release_tag} asset ${asset.name} has digest ${digest}, not the recorded ${a.digest}`;
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    }
    return undefined;
  }
}

/** A run's workflow path: `.github/workflows/x.yml`, also given as `owner/repo/.github/workflows/x.yml@ref`. */
export function workflowPath(path: string, fullName: string): string {
  let p = path.replace(/@[^@]*$/, '');
  if (p.toLowerCase().startsWith(`${fullName}/`)) p = p.slice(fullName.length + 1);
  return p.includes('..') ? '' : p;
}

/** The `trusted-branches` input: branch names (empty: the repository's default branch). */
export function trustedBranchesFrom(inputs: Inputs): string[] {
  const list = inputs.list('trusted-branches');
  for (const b of list)
    if (!/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]{1,200}$/.test(b))
      throw new InputError(
        'trusted-branches',
        'branch names (letters, digits, ., _, / and -), one per line or comma-separated',
        b,
      );
  return list;
}

/** The `trusted-workflows` input: workflow files of this repository (`.github/workflows/x.yml`) whose runs may write records. */
export function trustedWorkflowsFrom(inputs: Inputs): string[] {
  const list = inputs.list('trusted-workflows');
  for (const w of list)
    if (!/^\.github\/workflows\/[A-Za-z0-9._-]{1,100}\.ya?ml$/.test(w))
      throw new InputError('trusted-workflows', 'workflow files of this repository (.github/workflows/<name>.yml)', w);
  return list;
}

/**
 * The records of an environment as an action sees them: every record traced to its runs, and
 * this run checked first, before anything is written, since a record it wrote could not be
 * trusted later (a run on another branch, a pull request's run).
 */
export async function trustedRecords(options: {
  gh: GitHub;
  repo: Repo;
  environment: string;
  trustedBranches: string[];
  trustedWorkflows?: string[];
  runId: string | undefined;
  /** GITHUB_REF of this run: a branch push or dispatch on a branch (refs/heads/...), never a tag. */
  ref?: string;
  /** This run's URL with its attempt: the log_url of every status it writes. */
  logUrl?: string;
  logger: Logger;
}): Promise<ReleaseRecords> {
  const provenance = new Provenance(options.gh, options.repo, options.trustedBranches, options.trustedWorkflows);
  if (!options.runId || !/^[1-9]\d{0,15}$/.test(options.runId))
    throw new ActionError(
      'GITHUB_RUN_ID is not set: release records are traced to the workflow run that writes them, so this action runs only in a workflow run.',
    );
  const branches = await provenance.branches();
  if (options.ref !== undefined && !branches.some((b) => options.ref === `refs/heads/${b}`))
    throw new ActionError(
      `This run cannot write or act on release records of ${options.environment}: it runs for ${options.ref || 'no ref'}, not for the branch ${branches.join(' or ')}. Records are trusted only from runs of this repository's workflows on ${branches.join(' or ')} (set trusted-branches to add branches; a tag is never a branch, whatever its name).`,
    );
  const own = await provenance.runProblem(options.runId);
  if (own) {
    throw new ActionError(
      `This run cannot write or act on release records of ${options.environment}: ${own}. Records are trusted only from runs of this repository's workflows on ${(await provenance.branches()).join(' or ')} (set trusted-branches to add branches).`,
    );
  }
  return new ReleaseRecords(options.gh, options.repo, options.environment, options.logger, provenance, options.logUrl);
}
