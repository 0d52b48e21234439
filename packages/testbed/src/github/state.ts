/** What the emulator stores: releases, assets, deployments, statuses and workflow runs. */
export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface StoredDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  original_environment: string;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  updated_at: string;
}

export interface StoredStatus {
  id: number;
  deploymentId: number;
  state: DeploymentState;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
}

export interface StoredAsset {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  contentType: string;
  data: Buffer;
  createdAt: string;
}

export interface StoredRelease {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';

/** A job of a run attempt: when it was created, when a runner started it (null while queued or waiting), when it ended. */
export interface StoredJob {
  id: number;
  name: string;
  attempt: number;
  status: RunStatus;
  conclusion: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  runner_name: string | null;
}

export interface StoredRun {
  id: number;
  event: string;
  head_branch: string | null;
  head_sha: string;
  path: string;
  status: RunStatus;
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  run_attempt: number;
  /** When this attempt started (a re-run resets it; created_at stays the first attempt's). */
  run_started_at: string;
  /** owner/name of the repository whose code ran (a fork for a fork's pull request). */
  head_repository: string;
  /** Reusable workflows the run called: `owner/repo/.github/workflows/x.yml@ref`. */
  referenced_workflows: string[];
  /** The jobs of every attempt. */
  jobs: StoredJob[];
  /** Earlier attempts as they ended (re-runs). */
  attempts: Omit<StoredRun, 'attempts' | 'jobs'>[];
}
