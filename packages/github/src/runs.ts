/**
 * What GitHub says of a workflow run, read once per run and kept: the run itself
 * (https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run), the jobs of one
 * attempt and when each ran on a runner
 * (https://docs.github.com/en/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt),
 * and whether a commit is on a branch (the compare API: the branch head is the commit or a
 * descendant of it, https://docs.github.com/en/rest/commits/commits#compare-two-commits).
 */
import { ActionError } from '@rollgate/kit';
import type { GitHub } from './client.js';
import type { Repo } from './releases.js';

export interface RunFacts {
  id: string;
  event: string;
  headBranch: string;
  headSha: string;
  path: string;
  repository: string;
  headRepository: string;
  createdAt: number;
  status: string;
  completed: boolean;
  updatedAt: number;
  /** The run's latest attempt. */
  attempt: number;
  /** Reusable workflows the run called (`owner/repo/.github/workflows/x.yml@ref`). */
  referencedWorkflows: string[];
}

/** When a job of an attempt ran on a runner: from its start to its end (or now, running). */
export interface JobWindow {
  name: string;
  start: number;
  end?: number;
}

export class ProvenanceError extends ActionError {}

export class RunReader {
  private readonly runs = new Map<string, Promise<RunFacts | string>>();
  private readonly jobs = new Map<string, Promise<JobWindow[]>>();
  private readonly onBranches = new Map<string, Promise<boolean>>();

  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
  ) {}

  /** The run, or why there is none to trust (it does not exist here). */
  run(id: string): Promise<RunFacts | string> {
    let found = this.runs.get(id);
    if (!found) {
      found = this.gh.rest.actions.getWorkflowRun({ ...this.repo, run_id: Number(id) }).then(
        ({ data }) => ({
          id,
          event: data.event,
          headBranch: data.head_branch ?? '',
          headSha: data.head_sha,
          path: data.path ?? '',
          repository: data.repository.full_name.toLowerCase(),
          headRepository: (data.head_repository?.full_name ?? '').toLowerCase(),
          createdAt: Date.parse(data.created_at),
          status: data.status ?? '',
          completed: data.status === 'completed',
          updatedAt: Date.parse(data.updated_at),
          attempt: data.run_attempt ?? 1,
          referencedWorkflows: (data.referenced_workflows ?? []).map((w) => w.path),
        }),
        (error: { status?: number; message?: string }) => {
          if (error.status === 404) return `workflow run ${id} does not exist in ${this.repo.owner}/${this.repo.repo}`;
          throw readError(error);
        },
      );
      this.runs.set(id, found);
    }
    return found;
  }

  /** When each job of attempt `attempt` of run `id` ran on a runner (jobs queued or waiting for approval never ran). */
  jobWindows(id: string, attempt: number): Promise<JobWindow[]> {
    const key = `${id}/${attempt}`;
    let found = this.jobs.get(key);
    if (!found) {
      found = this.gh.rest.actions
        .listJobsForWorkflowRunAttempt({ ...this.repo, run_id: Number(id), attempt_number: attempt, per_page: 100 })
        .then(
          ({ data }) =>
            data.jobs.flatMap((j) => {
              // A job ran when a runner took it: its first step's start (GitHub stamps started_at at creation too).
              const began = j.steps?.[0]?.started_at ?? (j.runner_name ? j.started_at : null);
              if (!began || !j.runner_name) return [];
              return [
                {
                  name: j.name,
                  start: Date.parse(began),
                  ...(j.completed_at ? { end: Date.parse(j.completed_at) } : {}),
                },
              ];
            }),
          (error: { status?: number; message?: string }) => {
            if (error.status === 404) return [];
            throw readError(error);
          },
        );
      this.jobs.set(key, found);
    }
    return found;
  }

  /**
   * Whether `sha` is on `branch`: the branch head (read as refs/heads/<branch>, never a tag of the
   * same name) is `sha` or one of its descendants.
   */
  onBranch(sha: string, branch: string): Promise<boolean> {
    const key = `${branch}...${sha}`;
    let found = this.onBranches.get(key);
    if (!found) {
      found = this.branchHead(branch).then(async (head) => {
        if (!head) return false;
        if (head === sha) return true;
        try {
          const { data } = await this.gh.rest.repos.compareCommitsWithBasehead({
            ...this.repo,
            basehead: `${head}...${sha}`,
            per_page: 1,
          });
          return data.status === 'identical' || data.status === 'behind';
        } catch (error) {
          if ((error as { status?: number }).status === 404) return false;
          throw readError(error as { status?: number; message?: string });
        }
      });
      this.onBranches.set(key, found);
    }
    return found;
  }

  private readonly heads = new Map<string, Promise<string>>();

  /** The commit a branch points at ('' when there is no such branch). */
  private branchHead(branch: string): Promise<string> {
    let found = this.heads.get(branch);
    if (!found) {
      found = this.gh.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` }).then(
        ({ data }) => (data.object.type === 'commit' ? data.object.sha : ''),
        (error: { status?: number; message?: string }) => {
          if (error.status === 404) return '';
          throw readError(error);
        },
      );
      this.heads.set(branch, found);
    }
    return found;
  }
}

function readError(error: { status?: number; message?: string }): unknown {
  if (error.status === 403 && !/rate limit/i.test(error.message ?? ''))
    return new ProvenanceError(
      `The token cannot read workflow runs or commits (${(error.message ?? '403').replace(/ - https:\/\/docs\.github\.com\S*$/, '')}): give the job \`actions: read\` and \`contents: read\` so records can be traced to their runs.`,
    );
  return error;
}
