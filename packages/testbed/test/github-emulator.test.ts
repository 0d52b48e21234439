import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createGitHub, type GitHub } from '@rollgate/github';
import { GitHubEmulator, createRemote, git, seedRepository, commit } from '../src/index.js';

let gh: GitHubEmulator;
let api: GitHub;
let seed: string;
let head: string;
const repo = { owner: 'octo-org', repo: 'service' };

beforeAll(async () => {
  const remote = createRemote();
  seed = seedRepository(remote);
  head = commit(seed, 'feat: second');
  git(seed, ['push', '-q', 'origin', 'main']);
  gh = await GitHubEmulator.start({ remote });
  api = createGitHub({ token: 'ghs_test', baseUrl: gh.url, retryUnitMs: 20 });
});
afterAll(() => gh.stop());
afterEach(() => {
  const violations = gh.violations.splice(0);
  gh.clearFaults();
  expect(violations).toEqual([]);
});

describe('GitHub emulator: git data', () => {
  it('creates an annotated tag that is a real tag in the remote repository', async () => {
    const tag = await api.rest.git.createTag({
      ...repo,
      tag: 'v1.0.0',
      message: 'Release 1.0.0',
      object: head,
      type: 'commit',
    });
    const ref = await api.rest.git.createRef({ ...repo, ref: 'refs/tags/v1.0.0', sha: tag.data.sha });
    expect(ref.status).toBe(201);
    expect(ref.data.object).toMatchObject({ type: 'tag', sha: tag.data.sha });
    expect(git(gh.remote, ['cat-file', '-t', 'v1.0.0'])).toBe('tag');
    expect(git(gh.remote, ['rev-parse', 'v1.0.0^{commit}'])).toBe(head);
    const got = await api.rest.git.getTag({ ...repo, tag_sha: tag.data.sha });
    expect(got.data).toMatchObject({
      tag: 'v1.0.0',
      message: 'Release 1.0.0\n',
      object: { sha: head, type: 'commit' },
    });
  });

  it('answers 422 "Reference already exists" and does not retry it', async () => {
    const before = gh.calls({ method: 'POST', route: '/repos/{owner}/{repo}/git/refs' }).length;
    await expect(api.rest.git.createRef({ ...repo, ref: 'refs/tags/v1.0.0', sha: head })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Reference already exists'),
    });
    expect(gh.calls({ method: 'POST', route: '/repos/{owner}/{repo}/git/refs' }).length).toBe(before + 1);
  });

  it('moves a ref only forward unless forced, and deletes it', async () => {
    const first = git(seed, ['rev-parse', 'HEAD~1']);
    await api.rest.git.createRef({ ...repo, ref: 'refs/tags/v1', sha: head });
    await expect(api.rest.git.updateRef({ ...repo, ref: 'tags/v1', sha: first })).rejects.toMatchObject({
      status: 422,
    });
    const moved = await api.rest.git.updateRef({ ...repo, ref: 'tags/v1', sha: first, force: true });
    expect(moved.data.object.sha).toBe(first);
    const matching = await api.rest.git.listMatchingRefs({ ...repo, ref: 'tags/v1' });
    expect(matching.data.map((r) => r.ref)).toEqual(['refs/tags/v1', 'refs/tags/v1.0.0']);
    await api.rest.git.deleteRef({ ...repo, ref: 'tags/v1' });
    await expect(api.rest.git.getRef({ ...repo, ref: 'tags/v1' })).rejects.toMatchObject({ status: 404 });
  });

  it('answers 404 for another repository', async () => {
    await expect(api.rest.git.getRef({ owner: 'other', repo: 'x', ref: 'heads/main' })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('GitHub emulator: releases and assets', () => {
  it('creates a draft, uploads an asset, publishes, and serves the asset bytes', async () => {
    const draft = await api.rest.repos.createRelease({
      ...repo,
      tag_name: 'v1.1.0',
      target_commitish: head,
      name: 'v1.1.0',
      body: 'notes',
      draft: true,
    });
    expect(draft.data.draft).toBe(true);
    await expect(api.rest.repos.getReleaseByTag({ ...repo, tag: 'v1.1.0' })).rejects.toMatchObject({ status: 404 });
    const data = Buffer.from('archive bytes \u0000\u0001');
    const asset = await api.rest.repos.uploadReleaseAsset({
      ...repo,
      release_id: draft.data.id,
      name: 'app.tar.gz',
      data: data as unknown as string,
      url: draft.data.upload_url,
      headers: { 'content-type': 'application/gzip', 'content-length': data.length },
    });
    expect(asset.data).toMatchObject({ name: 'app.tar.gz', size: data.length });
    const published = await api.rest.repos.updateRelease({ ...repo, release_id: draft.data.id, draft: false });
    expect(published.data.published_at).not.toBeNull();
    expect(git(gh.remote, ['rev-parse', 'v1.1.0'])).toBe(head);
    const byTag = await api.rest.repos.getReleaseByTag({ ...repo, tag: 'v1.1.0' });
    expect(byTag.data.assets.map((a) => a.name)).toEqual(['app.tar.gz']);
    const download = await api.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      ...repo,
      asset_id: asset.data.id,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(download.data as unknown as ArrayBuffer)).toEqual(data);
  });

  it('refuses a second published release for the same tag', async () => {
    await expect(api.rest.repos.createRelease({ ...repo, tag_name: 'v1.1.0' })).rejects.toMatchObject({ status: 422 });
  });
});

describe('GitHub emulator: deployments', () => {
  it('records deployments and statuses, newest first, with auto_inactive', async () => {
    const env = 'staging';
    const one = await api.rest.repos.createDeployment({
      ...repo,
      ref: 'main',
      environment: env,
      auto_merge: false,
      required_contexts: [],
      payload: { version: '1.0.0' },
    });
    expect(one.status).toBe(201);
    const oneId = (one.data as { id: number }).id;
    await api.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: oneId,
      state: 'success',
      description: 'live',
    });
    const two = await api.rest.repos.createDeployment({
      ...repo,
      ref: 'v1.0.0',
      environment: env,
      auto_merge: false,
      required_contexts: [],
      payload: { version: '1.1.0' },
    });
    const twoId = (two.data as { id: number }).id;
    await api.rest.repos.createDeploymentStatus({ ...repo, deployment_id: twoId, state: 'success' });
    const list = await api.rest.repos.listDeployments({ ...repo, environment: env });
    expect(list.data.map((d) => d.id)).toEqual([twoId, oneId]);
    expect(list.data[0]?.payload).toEqual({ version: '1.1.0' });
    const firstStatuses = await api.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: oneId });
    expect(firstStatuses.data.map((s) => s.state)).toEqual(['inactive', 'success']);
    await expect(
      api.rest.repos.createDeployment({ ...repo, ref: 'no-such-ref', environment: env }),
    ).rejects.toMatchObject({ status: 422 });
  });
});

describe('GitHub emulator: repository, commits, compare', () => {
  it('describes the repository', async () => {
    const r = await api.rest.repos.get(repo);
    expect(r.data).toMatchObject({ full_name: 'octo-org/service', default_branch: 'main' });
  });
  it('reads a commit and compares two refs from the git remote', async () => {
    const c = await api.rest.repos.getCommit({ ...repo, ref: 'main' });
    expect(c.data.sha).toBe(head);
    expect(c.data.commit.message).toBe('feat: second');
    const first = git(seed, ['rev-parse', 'HEAD~1']);
    const cmp = await api.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${first}...main` });
    expect(cmp.data).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 });
    expect(cmp.data.commits.map((x) => x.sha)).toEqual([head]);
  });
});

describe('GitHub emulator: faults', () => {
  it('a 500 is retried by the client and succeeds', async () => {
    gh.fault({ route: '/repos/{owner}/{repo}/git/ref/{ref}', status: 500, times: 2 });
    const ref = await api.rest.git.getRef({ ...repo, ref: 'heads/main' });
    expect(ref.data.object.sha).toBe(head);
    const calls = gh
      .calls({ route: '/repos/{owner}/{repo}/git/ref/{ref}' })
      .slice(-3)
      .map((c) => c.status);
    expect(calls).toEqual([500, 500, 200]);
  });

  it('a secondary rate limit (429 + retry-after) is waited out', async () => {
    gh.fault({ route: '/repos/{owner}/{repo}/releases', method: 'GET', status: 429, retryAfter: 1 });
    const list = await api.rest.repos.listReleases(repo);
    expect(list.data.length).toBeGreaterThan(0);
    expect(
      gh
        .calls({ route: '/repos/{owner}/{repo}/releases', method: 'GET' })
        .slice(-2)
        .map((c) => c.status),
    ).toEqual([429, 200]);
  });

  it('a dropped connection is retried', async () => {
    gh.fault({ route: '/repos/{owner}/{repo}/git/ref/{ref}', drop: true });
    const ref = await api.rest.git.getRef({ ...repo, ref: 'heads/main' });
    expect(ref.status).toBe(200);
  });

  it('gives up after the retries with the server error', async () => {
    gh.fault({ route: '/repos/{owner}/{repo}/git/ref/{ref}', status: 502, times: 10 });
    await expect(api.rest.git.getRef({ ...repo, ref: 'heads/main' })).rejects.toMatchObject({ status: 502 });
  });

  it('a slow response is still answered', async () => {
    gh.fault({ route: '/repos/{owner}/{repo}/git/ref/{ref}', delayMs: 300 });
    const started = Date.now();
    await api.rest.git.getRef({ ...repo, ref: 'heads/main' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('GitHub emulator: schema check', () => {
  it('catches a response that does not match GitHub’s OpenAPI description', async () => {
    const other = await GitHubEmulator.start({ remote: gh.remote });
    try {
      // A deliberately wrong release: no upload_url, id as a string.
      other.route('GET', '/repos/{owner}/{repo}/releases/{release_id}', () => ({
        status: 200,
        body: { id: 'x', tag_name: 'v1' },
      }));
      const client = createGitHub({ token: 't', baseUrl: other.url });
      await client.rest.repos.getRelease({ ...repo, release_id: 1 });
      expect(other.violations).toHaveLength(1);
      expect(other.violations[0]).toMatchObject({
        method: 'GET',
        status: 200,
        path: '/repos/octo-org/service/releases/1',
      });
      expect(other.violations[0]?.errors).toMatch(/must have required property|must be integer/);
    } finally {
      await other.stop();
    }
  });

  it('catches an undocumented status code', async () => {
    const other = await GitHubEmulator.start({ remote: gh.remote });
    try {
      other.route('POST', '/repos/{owner}/{repo}/git/refs', () => ({ status: 418, body: { message: 'teapot' } }));
      const client = createGitHub({ token: 't', baseUrl: other.url, retryUnitMs: 20 });
      await expect(client.rest.git.createRef({ ...repo, ref: 'refs/tags/x', sha: head })).rejects.toMatchObject({
        status: 418,
      });
      expect(other.violations[0]?.errors).toMatch(/status 418 is not a documented response/);
    } finally {
      await other.stop();
    }
  });
});

describe('GitHub emulator: rate limits and conditional requests (limits.ts)', () => {
  const raw = (emulator: GitHubEmulator, path: string, token: string, init: RequestInit = {}) =>
    emulator.fetch(`http://github.test/repos/octo-org/service${path}`, {
      ...init,
      headers: { authorization: `token ${token}`, ...(init.headers as Record<string, string>) },
    });

  it('answers a GET with an etag tied to the token; sent back, a 304 that does not count', async () => {
    const emulator = new GitHubEmulator({ remote: gh.remote });
    const first = await raw(emulator, '/deployments', 'ghs_a');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(first.headers.get('x-ratelimit-used')).toBe('1');
    const again = await raw(emulator, '/deployments', 'ghs_a', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-ratelimit-used')).toBe('1');
    // Another token's validator is not this token's.
    const other = await raw(emulator, '/deployments', 'ghs_b', { headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
  });

  it("every job's GITHUB_TOKEN draws on one budget for the repository; used up, 403 with remaining 0", async () => {
    const emulator = new GitHubEmulator({ remote: gh.remote, limits: { jobTokenPerWindow: 3 } });
    const jobA = emulator.issueToken({ deployments: 'read' });
    const jobB = emulator.issueToken({ deployments: 'read' });
    for (const [i, token] of [jobA, jobB, jobA].entries())
      expect((await raw(emulator, `/deployments?environment=e${i}`, token)).status).toBe(200);
    const refused = await raw(emulator, '/deployments?environment=x', jobB);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    // A person's token has its own 5,000.
    expect((await raw(emulator, '/deployments', 'ghp_person')).headers.get('x-ratelimit-limit')).toBe('5000');
    expect(emulator.limits?.jobTokenUsed).toBe(3);
  });

  it('refuses content-creating requests past the secondary limit with retry-after', async () => {
    const emulator = new GitHubEmulator({ remote: gh.remote, limits: { writesPerMinute: 2 } });
    const post = () =>
      raw(emulator, '/deployments', 'ghs_w', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ref: 'main', environment: 'staging' }),
      });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    const third = await post();
    expect(third.status).toBe(403);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await third.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(emulator.state.deployments).toHaveLength(2);
  });
});
