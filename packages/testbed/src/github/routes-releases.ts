/** Releases and release assets. A published release creates its tag if missing, as GitHub does. */
import { createHash } from 'node:crypto';
import type { EmulatorCore as GitHubEmulator } from './core.js';
import type { StoredAsset, StoredRelease } from './state.js';

export type { StoredAsset, StoredRelease };
import { gitIn, gitOk } from './routes-git.js';
import { error, nodeId, user, validationFailed } from './objects.js';

export function registerReleaseRoutes(gh: GitHubEmulator): void {
  const R = '/repos/{owner}/{repo}';
  const { releases, assets } = gh.state;
  const assetJson = (a: StoredAsset) => ({
    url: `${gh.repoUrl}/releases/assets/${a.id}`,
    browser_download_url: `${gh.url}/downloads/assets/${a.id}/${encodeURIComponent(a.name)}`,
    id: a.id,
    node_id: nodeId('ReleaseAsset', a.id),
    name: a.name,
    label: a.label,
    state: 'uploaded',
    content_type: a.contentType,
    size: a.data.length,
    digest: `sha256:${createHash('sha256').update(a.data).digest('hex')}`,
    download_count: 0,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    uploader: user(gh.url),
  });
  const json = (r: StoredRelease) => ({
    url: `${gh.repoUrl}/releases/${r.id}`,
    html_url: `https://github.com/${gh.owner}/${gh.repo}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    assets_url: `${gh.repoUrl}/releases/${r.id}/assets`,
    upload_url: `${gh.url}/uploads/repos/${gh.owner}/${gh.repo}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${gh.repoUrl}/tarball/${r.tag_name}`,
    zipball_url: `${gh.repoUrl}/zipball/${r.tag_name}`,
    id: r.id,
    node_id: nodeId('Release', r.id),
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.created_at,
    updated_at: r.published_at ?? r.created_at,
    published_at: r.published_at,
    author: user(gh.url),
    assets: assets.filter((a) => a.releaseId === r.id).map(assetJson),
  });
  const find = (id: string | undefined) => releases.find((r) => String(r.id) === id);
  const ensureTag = (r: StoredRelease): boolean => {
    if (gitIn(gh.remote, ['rev-parse', '--verify', '-q', `refs/tags/${r.tag_name}`])) return true;
    const sha = gitIn(gh.remote, ['rev-parse', '--verify', '-q', `${r.target_commitish}^{commit}`]);
    if (!sha) return false;
    return gitOk(gh.remote, ['update-ref', `refs/tags/${r.tag_name}`, sha, '']);
  };
  const publishedWithTag = (tag: string, except?: number) =>
    releases.find((r) => r.tag_name === tag && !r.draft && r.id !== except);

  gh.repoRoute('POST', `${R}/releases`, (req) => {
    const b = req.json() as Partial<StoredRelease>;
    if (!b.tag_name)
      return validationFailed('Validation Failed', [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }]);
    if (publishedWithTag(b.tag_name)) {
      return validationFailed('Validation Failed', [
        { resource: 'Release', code: 'already_exists', field: 'tag_name' },
      ]);
    }
    const r: StoredRelease = {
      id: gh.nextId(),
      tag_name: b.tag_name,
      target_commitish: b.target_commitish ?? 'main',
      name: b.name ?? b.tag_name,
      body: b.body ?? null,
      draft: b.draft ?? false,
      prerelease: b.prerelease ?? false,
      created_at: gh.now(),
      published_at: b.draft ? null : gh.now(),
    };
    if (!r.draft && !ensureTag(r)) {
      return validationFailed('Validation Failed', [
        { resource: 'Release', code: 'invalid', field: 'target_commitish' },
      ]);
    }
    releases.push(r);
    return { status: 201, body: json(r), headers: { location: `${gh.repoUrl}/releases/${r.id}` } };
  });

  gh.repoRoute('PATCH', `${R}/releases/{release_id}`, (req) => {
    const r = find(req.params.release_id);
    if (!r) return error(404, 'Not Found');
    const b = req.json() as Partial<StoredRelease>;
    const next = { ...r, ...Object.fromEntries(Object.entries(b).filter(([k]) => k in r)) } as StoredRelease;
    if (!next.draft && publishedWithTag(next.tag_name, r.id)) {
      return validationFailed('Validation Failed', [
        { resource: 'Release', code: 'already_exists', field: 'tag_name' },
      ]);
    }
    if (!next.draft && !ensureTag(next)) {
      return validationFailed('Validation Failed', [
        { resource: 'Release', code: 'invalid', field: 'target_commitish' },
      ]);
    }
    if (r.draft && !next.draft) next.published_at = gh.now();
    Object.assign(r, next);
    return { status: 200, body: json(r) };
  });

  gh.repoRoute('GET', `${R}/releases/{release_id}`, (req) => {
    const r = find(req.params.release_id);
    return r ? { status: 200, body: json(r) } : error(404, 'Not Found');
  });

  gh.repoRoute('DELETE', `${R}/releases/{release_id}`, (req) => {
    const r = find(req.params.release_id);
    if (!r) return error(404, 'Not Found');
    releases.splice(releases.indexOf(r), 1);
    return { status: 204 };
  });

  gh.repoRoute('GET', `${R}/releases/tags/{tag}`, (req) => {
    const r = releases.find((x) => x.tag_name === req.params.tag && !x.draft);
    return r ? { status: 200, body: json(r) } : error(404, 'Not Found');
  });

  gh.repoRoute('GET', `${R}/releases`, (req) => {
    const sorted = [...releases].sort((a, b) => b.id - a.id);
    return { status: 200, body: gh.page(req, sorted).map(json) };
  });

  gh.repoRoute('GET', `${R}/releases/{release_id}/assets`, (req) => {
    const r = find(req.params.release_id);
    if (!r) return error(404, 'Not Found');
    return { status: 200, body: assets.filter((a) => a.releaseId === r.id).map(assetJson) };
  });

  // Uploads go to the origin named in upload_url (uploads.github.com on GitHub).
  gh.repoRoute(
    'POST',
    `${R}/releases/{release_id}/assets`,
    (req) => {
      const r = find(req.params.release_id);
      if (!r) return error(404, 'Not Found');
      const name = req.query.get('name');
      if (!name)
        return validationFailed('Validation Failed', [
          { resource: 'ReleaseAsset', code: 'missing_field', field: 'name' },
        ]);
      if (assets.some((a) => a.releaseId === r.id && a.name === name)) {
        return validationFailed('Validation Failed', [
          { resource: 'ReleaseAsset', code: 'already_exists', field: 'name' },
        ]);
      }
      const a: StoredAsset = {
        id: gh.nextId(),
        releaseId: r.id,
        name,
        label: req.query.get('label'),
        contentType: String(req.headers['content-type'] ?? 'application/octet-stream'),
        data: req.body,
        createdAt: gh.now(),
      };
      assets.push(a);
      return { status: 201, body: assetJson(a) };
    },
    { prefix: '/uploads' },
  );

  gh.repoRoute('GET', `${R}/releases/assets/{asset_id}`, (req) => {
    const a = assets.find((x) => String(x.id) === req.params.asset_id);
    if (!a) return error(404, 'Not Found');
    if (String(req.headers.accept ?? '').includes('application/octet-stream')) {
      return { status: 302, headers: { location: `${gh.url}/downloads/assets/${a.id}/${encodeURIComponent(a.name)}` } };
    }
    return { status: 200, body: assetJson(a) };
  });

  gh.repoRoute('DELETE', `${R}/releases/assets/{asset_id}`, (req) => {
    const a = assets.find((x) => String(x.id) === req.params.asset_id);
    if (!a) return error(404, 'Not Found');
    assets.splice(assets.indexOf(a), 1);
    return { status: 204 };
  });

  // The signed download location a 302 points at (not part of the REST API).
  gh.route(
    'GET',
    '/downloads/assets/{asset_id}/{name}',
    (req) => {
      const a = assets.find((x) => String(x.id) === req.params.asset_id);
      return a ? { status: 200, raw: a.data } : { status: 404, raw: Buffer.from('Not Found') };
    },
    { validate: false },
  );
}
