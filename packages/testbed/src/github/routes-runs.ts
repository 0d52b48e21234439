/**
 * Workflow runs: GET /repos/{owner}/{repo}/actions/runs/{run_id}, from the runs the workflow
 * runner (or a test) registered. https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run
 * A run of a fork's pull request has the fork as `head_repository`; `path` is the workflow
 * file (for dynamic workflows such as CodeQL it is `dynamic/...`).
 */
import type { EmulatorCore as GitHubEmulator } from './core.js';
import type { StoredRun } from './state.js';

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

  gh.repoRoute('GET', `${R}/actions/runs/{run_id}`, (req) => {
    const run = gh.state.runs.find((r) => String(r.id) === req.params.run_id);
    if (!run) return error(404, 'Not Found');
    const url = `${gh.repoUrl}/actions/runs/${run.id}`;
    return {
      status: 200,
      body: {
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
        run_started_at: run.created_at,
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
      },
    };
  });
}
