/** The local workflow runner's configuration and results. */
import type { ConcurrencyGroups } from './concurrency.js';
import type { Grants } from '../github/permissions.js';

export interface RunnerEnv {
  /** Bare repository standing for the GitHub repository (checkout clones it). */
  remote: string;
  repository: string;
  sha: string;
  ref?: string;
  apiUrl: string;
  token: string;
  /** ACTIONS_RESULTS_URL / ACTIONS_RUNTIME_TOKEN for a run id (the artifact service emulator). */
  runtime?: (runId: number) => { resultsUrl: string; runtimeToken: string };
  vars?: Record<string, string>;
  log?: (line: string) => void;
  /** Where GitHub would record the run (the emulator): each top-level run is registered and finished there. */
  runs?: {
    startRun(run: {
      id: number;
      head_sha: string;
      event: string;
      path: string;
      head_branch: string;
      jobs: [];
    }): unknown;
    finishRun(id: number, conclusion: 'success' | 'failure' | 'cancelled'): void;
    /** A job of the run starts on a runner (or waits, or is queued), and ends. */
    startJob(runId: number, name: string, status?: 'in_progress' | 'waiting' | 'queued'): void;
    finishJob(runId: number, name: string, conclusion?: 'success' | 'failure' | 'cancelled' | 'skipped'): void;
    /** A reusable workflow the run called (`owner/repo/.github/workflows/x.yml@ref`). */
    referenceWorkflow?(runId: number, path: string): void;
  };
  /** The repository's concurrency groups, shared by runners of the same repository (default: one per runner). */
  groups?: ConcurrencyGroups;
  /** Other repositories by owner/name: a bare mirror each, for `owner/repo/...@ref` workflows and actions. */
  repositories?: Record<string, string>;
  /**
   * An environment's protection rules, asked before a job that names it runs (the emulator's
   * environments.ts): it may wait (reviewers, wait timer; `waiting` marks the job so), refuse,
   * or give the environment's vars and secrets.
   */
  protection?: {
    enter(
      job: { runId: number; name: string; environment: string; ref: string; actor: string },
      waiting: () => void,
    ): Promise<{ vars: Record<string, string>; secrets: Record<string, string> } | { refused: string }>;
  };
  /** Issues each job's GITHUB_TOKEN with the scopes its permissions grant (the emulator); without it every job gets `token`. */
  tokens?: { issueToken(grants: Grants): string };
}

export interface WorkflowRunOptions {
  file: string;
  event: 'push' | 'workflow_dispatch' | 'workflow_call';
  inputs?: Record<string, string | boolean | number>;
  secrets?: Record<string, string>;
  runId?: number;
  /** The commit this run is for (default: the runner's sha); runs in flight at once may differ. */
  sha?: string;
  /** A called workflow's jobs get at most what the calling job granted (set by the runner). */
  permissionsCap?: Grants;
  /** The calling job of a reusable workflow (its jobs are named "<caller> / <job>"). */
  callerJob?: string;
  /** The tree of the repository the workflow file belongs to, for `$/` (default: this repository). */
  root?: string;
}

export interface StepRecord {
  name: string;
  conclusion: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  error?: string;
}

export interface JobResult {
  /** cancelled: a newer run took its pending place in a concurrency group. */
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled';
  outputs: Record<string, string>;
  steps: StepRecord[];
  environment?: string;
  /** The jobs of the workflow a `uses:` job called. */
  called?: Record<string, JobResult>;
}

export interface WorkflowResult {
  conclusion: 'success' | 'failure' | 'cancelled';
  /** Why GitHub would not start the run (refusals.ts): no job ran. */
  refused?: string;
  jobs: Record<string, JobResult>;
  outputs: Record<string, string>;
}
