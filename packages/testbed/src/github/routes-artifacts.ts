/** The REST side of workflow artifacts: list by run, get, and the zip redirect to the signed blob URL. */
import type { ArtifactService } from '../artifacts/service.js';
import type { StoredArtifact } from '../artifacts/store.js';
import type { EmulatorCore as GitHubEmulator } from './core.js';
import { error, nodeId } from './objects.js';

export function registerArtifactRoutes(gh: GitHubEmulator, service: ArtifactService): void {
  const R = '/repos/{owner}/{repo}';
  const store = service.store;
  // The run that uploaded it, as GitHub reports it (a run the emulator was told about).
  const runOf = (a: StoredArtifact) => {
    const run = gh.state.runs.find((r) => r.id === a.runId);
    return {
      id: a.runId,
      repository_id: 1,
      head_repository_id: run && run.head_repository !== gh.repository ? 99 : 1,
      head_branch: run?.head_branch ?? 'main',
      head_sha: run?.head_sha ?? '0'.repeat(40),
    };
  };
  const json = (a: StoredArtifact) => ({
    id: a.id,
    node_id: nodeId('Artifact', a.id),
    name: a.name,
    size_in_bytes: a.size,
    url: `${gh.repoUrl}/actions/artifacts/${a.id}`,
    archive_download_url: `${gh.repoUrl}/actions/artifacts/${a.id}/zip`,
    expired: Date.parse(a.expiresAt) < Date.now(),
    created_at: a.createdAt,
    expires_at: a.expiresAt,
    updated_at: a.createdAt,
    digest: a.digest,
    workflow_run: runOf(a),
  });
  const finalized = () => store.artifacts.filter((a) => a.finalized).sort((x, y) => y.id - x.id);

  gh.repoRoute('GET', `${R}/actions/runs/{run_id}/artifacts`, (req) => {
    const name = req.query.get('name');
    const list = finalized().filter((a) => String(a.runId) === req.params.run_id && (!name || a.name === name));
    return { status: 200, body: { total_count: list.length, artifacts: gh.page(req, list).map(json) } };
  });

  gh.repoRoute('GET', `${R}/actions/artifacts`, (req) => {
    const name = req.query.get('name');
    const list = finalized().filter((a) => !name || a.name === name);
    return { status: 200, body: { total_count: list.length, artifacts: gh.page(req, list).map(json) } };
  });

  gh.repoRoute('GET', `${R}/actions/artifacts/{artifact_id}`, (req) => {
    const a = finalized().find((x) => String(x.id) === req.params.artifact_id);
    return a ? { status: 200, body: json(a) } : error(404, 'Not Found');
  });

  gh.repoRoute('GET', `${R}/actions/artifacts/{artifact_id}/{archive_format}`, (req) => {
    const a = finalized().find((x) => String(x.id) === req.params.artifact_id);
    if (!a || req.params.archive_format !== 'zip') return error(404, 'Not Found');
    if (Date.parse(a.expiresAt) < Date.now()) return error(410, 'Artifact has expired');
    return { status: 302, headers: { location: service.signedUrl(a) } };
  });
}
