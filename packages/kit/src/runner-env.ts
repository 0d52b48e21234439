/**
 * What the runner tells a step through its environment, read once per action (the entry
 * point reads it and passes values down; packages never read process.env themselves).
 * The variables: https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
 */
export interface RunnerEnv {
  /** owner/name */
  repository: string;
  owner: string;
  repo: string;
  /** The commit the workflow run is for (empty outside a runner). */
  sha: string;
  ref: string;
  runId: string;
  runAttempt: number;
  runNumber: string;
  workflow: string;
  serverUrl: string;
  apiUrl: string;
  workspace: string;
  /** The runner's temporary directory (emptied after each job); empty outside a runner. */
  runnerTemp: string;
  runnerOs: string;
  runnerArch: string;
  /** Where the job summary goes, when the runner gave one. */
  stepSummary: string;
  /** This run's page, for log links. */
  runUrl: string;
}

export function readRunnerEnv(env: NodeJS.ProcessEnv = process.env): RunnerEnv {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const runId = env.GITHUB_RUN_ID ?? '';
  return {
    repository,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    runId,
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT ?? 1) || 1,
    runNumber: env.GITHUB_RUN_NUMBER ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    serverUrl,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: env.RUNNER_TEMP ?? '',
    runnerOs: env.RUNNER_OS ?? process.platform,
    runnerArch: env.RUNNER_ARCH ?? process.arch,
    stepSummary: env.GITHUB_STEP_SUMMARY ?? '',
    // The attempt too: a status's log_url names the run attempt that wrote it (provenance of statuses).
    runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}/attempts/${Number(env.GITHUB_RUN_ATTEMPT ?? 1) || 1}`,
  };
}
