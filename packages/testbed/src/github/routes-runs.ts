/**
 * Workflow runs: GET /repos/{owner}/{repo}/actions/runs/{run_id}, from the runs the workflow
 * runner (or a test) registered. https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
 * A run of a fork's pull request has the fork as `head_repository`; `path` is the workflow
 * file (for dynamic workflows such as CodeQL it is `dynamic/...`).
 */
import type { EmulatorCore as GitHubEmulator } from './core.js';
import type { StoredJob, StoredRun } from './state.js';

export type { StoredRun };
import { gitIn } from './routes-git.js';
import { repositoryJson } from './routes-repo.js';
import { error, nodeId } from './objects.js';

export function registerRunRoutes(gh: GitHubEmulator): void {
  const R = '/repos/{owner}/{repo}';
  const repoFor = (fullName: string) => {
    const base = repositoryJson(gh);
    if (fullName === gh.repository) return base;
    const name = fullName.split('/')[1] ?? '';
    return {
      ...base,
      id: 99,
      node_id: nodeId('Repository', 99),
      name,
      full_name: fullName,
      fork: true,
      html_url: `https://github.com/${fullName}`,
    };
  };
  const headCommit = (sha: string) => {
    const raw = gitIn(gh.remote, ['show', '-s', '--format=%T%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B', sha]);
    if (!raw) return null;
    const [tree = '', an = '', ae = '', cn = '', ce = '', cd = '', message = ''] = raw.split('\0');
    return {
      id: sha,
      tree_id: tree,
      message: message.trimEnd(),
      timestamp: new Date(cd).toISOString(),
      author: { name: an, email: ae },
      committer: { name: cn, email: ce },
    };
  };

  /** A run (its current attempt, or an earlier one as it ended) as GitHub answers it. */
  const runJson = (run: Omit<StoredRun, 'jobs' | 'attempts'>) => {
    const url = `${gh.repoUrl}/actions/runs/${run.id}`;
    return {
      id: run.id,
      name: run.path.split('/').at(-1),
      node_id: nodeId('WorkflowRun', run.id),
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: run.path,
      display_title: run.path,
      run_number: run.id % 1000,
      run_attempt: run.run_attempt,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: 7,
      url,
      html_url: `https://github.com/${gh.repository}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.created_at,
      updated_at: run.updated_at,
      run_started_at: run.run_started_at,
      referenced_workflows: run.referenced_workflows.map((path) => ({
        path,
        sha: /@([0-9a-f]{40})$/.exec(path)?.[1] ?? run.head_sha,
        ref: path.split('@').at(-1),
      })),
      jobs_url: `${url}/jobs`,
      logs_url: `${url}/logs`,
      check_suite_url: `${gh.repoUrl}/check-suites/${run.id}`,
      artifacts_url: `${url}/artifacts`,
      cancel_url: `${url}/cancel`,
      rerun_url: `${url}/rerun`,
      workflow_url: `${gh.repoUrl}/actions/workflows/7`,
      head_commit: headCommit(run.head_sha),
      repository: repoFor(gh.repository),
      head_repository: repoFor(run.head_repository),
    };
  };
  const jobJson = (run: StoredRun, j: StoredJob) => ({
    id: j.id,
    run_id: run.id,
    run_url: `${gh.repoUrl}/actions/runs/${run.id}`,
    run_attempt: j.attempt,
    node_id: nodeId('CheckRun', j.id),
    head_sha: run.head_sha,
    url: `${gh.repoUrl}/actions/jobs/${j.id}`,
    html_url: `https://github.com/${gh.repository}/actions/runs/${run.id}/job/${j.id}`,
    status: j.status,
    conclusion: j.conclusion,
    created_at: j.created_at,
    // GitHub's schema requires a time: a job not started yet shows when it was created.
    started_at: j.started_at ?? j.created_at,
    completed_at: j.completed_at,
    name: j.name,
    steps: j.started_at
      ? [
          {
            name: 'Set up job',
            status: j.status === 'completed' ? 'completed' : 'in_progress',
            conclusion: j.status === 'completed' ? 'success' : null,
            number: 1,
            started_at: j.started_at,
            completed_at: j.completed_at,
          },
        ]
      : [],
    check_run_url: `${gh.repoUrl}/check-runs/${j.id}`,
    labels: ['self-hosted'],
    runner_id: j.runner_name ? 1 : null,
    runner_name: j.runner_name,
    runner_group_id: j.runner_name ? 1 : null,
    runner_group_name: j.runner_name ? 'Default' : null,
    workflow_name: run.path.split('/').at(-1) ?? null,
    head_branch: run.head_branch,
  });
  const findRun = (id: string | undefined) => gh.state.runs.find((r) => String(r.id) === id);

  gh.repoRoute('GET', `${R}/actions/runs/{run_id}`, (req) => {
    const run = findRun(req.params.run_id);
    return run ? { status: 200, body: runJson(run) } : error(404, 'Not Found');
  });

  // https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run-attempt
  gh.repoRoute('GET', `${R}/actions/runs/{run_id}/attempts/{attempt_number}`, (req) => {
    const run = findRun(req.params.run_id);
    const n = Number(req.params.attempt_number);
    const attempt = run?.run_attempt === n ? run : run?.attempts.find((a) => a.run_attempt === n);
    return attempt ? { status: 200, body: runJson(attempt) } : error(404, 'Not Found');
  });

  // https://docs.github.com/en/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt
  gh.repoRoute('GET', `${R}/actions/runs/{run_id}/attempts/{attempt_number}/jobs`, (req) => {
    const run = findRun(req.params.run_id);
    const n = Number(req.params.attempt_number);
    if (!run || n < 1 || n > run.run_attempt) return error(404, 'Not Found');
    const jobs = run.jobs.filter((j) => j.attempt === n);
    return { status: 200, body: { total_count: jobs.length, jobs: gh.page(req, jobs).map((j) => jobJson(run, j)) } };
  });
}
