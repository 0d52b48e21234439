/**
 * Deployments and deployment statuses, with GitHub's documented semantics: refs resolve
 * to a sha, lists are newest first, and a success status with auto_inactive marks earlier
 * successful deployments of the same non-transient, non-production environment inactive.
 */
import type { EmulatorCore as GitHubEmulator } from './core.js';
import { DEPLOYMENT_STATES, type DeploymentState, type StoredDeployment, type StoredStatus } from './state.js';

export type { DeploymentState, StoredDeployment, StoredStatus };
import { gitIn } from './routes-git.js';
import { error, nodeId, user, validationFailed } from './objects.js';

export function registerDeploymentRoutes(gh: GitHubEmulator): void {
  const R = '/repos/{owner}/{repo}';
  const { deployments, statuses } = gh.state;
  const json = (d: StoredDeployment) => ({
    url: `${gh.repoUrl}/deployments/${d.id}`,
    id: d.id,
    node_id: nodeId('Deployment', d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: user(gh.url),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${gh.repoUrl}/deployments/${d.id}/statuses`,
    repository_url: gh.repoUrl,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  });
  const statusJson = (s: StoredStatus) => ({
    url: `${gh.repoUrl}/deployments/${s.deploymentId}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId('DeploymentStatus', s.id),
    state: s.state,
    creator: user(gh.url),
    description: s.description,
    environment: s.environment,
    target_url: s.target_url,
    created_at: s.created_at,
    updated_at: s.created_at,
    deployment_url: `${gh.repoUrl}/deployments/${s.deploymentId}`,
    repository_url: gh.repoUrl,
    ...(s.environment_url ? { environment_url: s.environment_url } : {}),
    log_url: s.log_url,
  });
  // A full commit sha resolves to itself for good: the repository's commits are read in one go
  // and again only for a sha not seen yet (a history of a thousand records in a test).
  let commits = new Set<string>();
  const commitOf = (ref: string) => {
    if (!/^[0-9a-f]{40}$/.test(ref)) return gitIn(gh.remote, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
    if (!commits.has(ref)) commits = new Set((gitIn(gh.remote, ['rev-list', '--all']) ?? '').split('\n'));
    return commits.has(ref) ? ref : '';
  };
  const find = (id: string | undefined) => deployments.find((d) => String(d.id) === id);
  const latest = (id: number) => statuses.filter((s) => s.deploymentId === id).sort((a, b) => b.id - a.id)[0];

  gh.repoRoute('POST', `${R}/deployments`, (req) => {
    const b = req.json() as {
      ref?: string;
      task?: string;
      payload?: Record<string, unknown> | string;
      environment?: string;
      description?: string | null;
      transient_environment?: boolean;
      production_environment?: boolean;
    };
    if (!b.ref) return validationFailed('Invalid request.\n\n"ref" wasn\'t supplied.');
    const sha = commitOf(b.ref);
    if (!sha) return validationFailed(`No ref found for: ${b.ref}`);
    const environment = b.environment ?? 'production';
    const d: StoredDeployment = {
      id: gh.nextId(),
      sha,
      ref: b.ref,
      task: b.task ?? 'deploy',
      payload: b.payload ?? {},
      environment,
      original_environment: environment,
      description: b.description ?? null,
      transient_environment: b.transient_environment ?? false,
      production_environment: b.production_environment ?? environment === 'production',
      created_at: gh.now(),
      updated_at: gh.now(),
    };
    deployments.push(d);
    return { status: 201, body: json(d) };
  });

  gh.repoRoute('GET', `${R}/deployments`, (req) => {
    const q = req.query;
    const list = deployments
      .filter(
        (d) =>
          (!q.get('sha') || d.sha === q.get('sha')) &&
          (!q.get('ref') || d.ref === q.get('ref')) &&
          (!q.get('task') || d.task === q.get('task')) &&
          (!q.get('environment') || d.environment === q.get('environment')),
      )
      .sort((a, b) => b.id - a.id);
    return { status: 200, body: gh.page(req, list).map(json) };
  });

  gh.repoRoute('GET', `${R}/deployments/{deployment_id}`, (req) => {
    const d = find(req.params.deployment_id);
    return d ? { status: 200, body: json(d) } : error(404, 'Not Found');
  });

  gh.repoRoute('DELETE', `${R}/deployments/{deployment_id}`, (req) => {
    const d = find(req.params.deployment_id);
    if (!d) return error(404, 'Not Found');
    if (latest(d.id)?.state !== 'inactive' && deployments.filter((x) => x.environment === d.environment).length > 1) {
      return validationFailed(
        'We cannot delete an active deployment unless it is the only deployment in a given environment.',
      );
    }
    deployments.splice(deployments.indexOf(d), 1);
    return { status: 204 };
  });

  gh.repoRoute('POST', `${R}/deployments/{deployment_id}/statuses`, (req) => {
    const d = find(req.params.deployment_id);
    if (!d) return error(404, 'Not Found');
    const b = req.json() as Partial<StoredStatus> & { auto_inactive?: boolean };
    if (!b.state || !(DEPLOYMENT_STATES as readonly string[]).includes(b.state)) {
      return validationFailed('Validation Failed', [
        { resource: 'DeploymentStatus', code: 'custom', field: 'state', message: 'state is not included in the list' },
      ]);
    }
    if ((b.description ?? '').length > 140) {
      return validationFailed('Validation Failed', [
        {
          resource: 'DeploymentStatus',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ]);
    }
    if (b.environment) d.environment = b.environment;
    const s: StoredStatus = {
      id: gh.nextId(),
      deploymentId: d.id,
      state: b.state,
      description: b.description ?? '',
      environment: d.environment,
      // GitHub answers "" when no URL is given, but its schema requires a URI: use the deployments page.
      target_url: b.target_url || b.log_url || `https://github.com/${gh.owner}/${gh.repo}/deployments`,
      log_url: b.log_url || b.target_url || `https://github.com/${gh.owner}/${gh.repo}/deployments`,
      environment_url: b.environment_url ?? '',
      created_at: gh.now(),
    };
    statuses.push(s);
    d.updated_at = s.created_at;
    if (s.state === 'success' && b.auto_inactive !== false) {
      for (const other of deployments) {
        if (
          other.id >= d.id ||
          other.environment !== d.environment ||
          other.transient_environment ||
          other.production_environment
        )
          continue;
        if (latest(other.id)?.state === 'success') {
          statuses.push({ ...s, id: gh.nextId(), deploymentId: other.id, state: 'inactive', description: '' });
        }
      }
    }
    return { status: 201, body: statusJson(s) };
  });

  gh.repoRoute('GET', `${R}/deployments/{deployment_id}/statuses`, (req) => {
    const d = find(req.params.deployment_id);
    if (!d) return error(404, 'Not Found');
    const list = statuses.filter((s) => s.deploymentId === d.id).sort((a, b) => b.id - a.id);
    return { status: 200, body: gh.page(req, list).map(statusJson) };
  });
}
