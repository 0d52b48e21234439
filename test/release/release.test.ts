import { describe, expect, it } from '@jest/globals';
import { git } from '@rollgate/testbed';
import { TOKEN, bed } from './fixture.js';

const WRITES = ['POST', 'PATCH', 'PUT', 'DELETE'];

describe('release action (bundle, runner contract, GitHub emulator, real git remote)', () => {
  it('releases the next minor with changelog, annotated tag, floating tags and a GitHub release in at most 3 API calls', async () => {
    const b = await bed();
    b.push('feat: first');
    b.tag('v1.2.0');
    b.tag('v1', 'HEAD');
    const head = b.push('fix(api): empty body', 'feat(api): add /health', 'docs: readme');
    b.workspace();
    const r = await b.run({ 'floating-tags': 'true' });
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      version: '1.3.0',
      tag: 'v1.3.0',
      'previous-version': '1.2.0',
      'previous-tag': 'v1.2.0',
      'release-type': 'minor',
      released: 'true',
      sha: head,
    });
    expect(r.outputs.changelog).toContain('### Features\n\n- **api:** add /health');
    expect(r.outputs.changelog).toContain('### Bug Fixes\n\n- **api:** empty body');
    expect(r.outputs.changelog).not.toContain('readme');
    expect(r.summary).toContain('## Released v1.3.0');
    expect(r.masks).toContain(TOKEN);
    // A real annotated tag on the remote, floating tags moved to the release commit.
    expect(git(b.remote, ['cat-file', '-t', 'v1.3.0'])).toBe('tag');
    expect(git(b.remote, ['rev-parse', 'v1.3.0^{commit}', 'v1', 'v1.3']).split('\n')).toEqual([head, head, head]);
    const release = b.gh.state.releases.find((x) => x.tag_name === 'v1.3.0');
    expect(release).toMatchObject({ draft: false, prerelease: false, body: r.outputs.changelog });
    expect(b.gh.calls().length).toBeLessThanOrEqual(3);
  });

  it('a re-run on a released commit outputs that release and writes nothing', async () => {
    const b = await bed();
    b.push('feat: a');
    b.workspace();
    const first = await b.run();
    expect(first.outputs).toMatchObject({ version: '0.1.0', released: 'true' });
    const writes = b.gh.calls().filter((c) => WRITES.includes(c.method)).length;
    const again = await b.run();
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({ version: '0.1.0', tag: 'v0.1.0', released: 'false', 'release-type': 'none' });
    expect(b.gh.calls().filter((c) => WRITES.includes(c.method)).length).toBe(writes);
    expect(b.gh.state.releases).toHaveLength(1);
  });

  it('completes a half-done run: a 5xx on the release leaves the tag, a re-run creates the release', async () => {
    const b = await bed();
    b.tag('v2.0.0');
    b.push('fix: a');
    b.workspace();
    b.gh.fault({ method: 'POST', route: '/repos/{owner}/{repo}/releases', status: 502, times: 20 });
    const broken = await b.run();
    expect(broken.exitCode).toBe(1);
    expect(broken.error).toMatch(/^HTTP 502/);
    expect(b.remoteTags()).toContain('v2.0.1');
    expect(b.gh.calls({ method: 'POST', route: '/repos/{owner}/{repo}/releases' }).length).toBe(4); // 1 + 3 retries
    b.gh.clearFaults();
    const rerun = await b.run();
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs).toMatchObject({ version: '2.0.1', released: 'true' });
    expect(b.gh.state.releases.map((x) => x.tag_name)).toEqual(['v2.0.1']);
  }, 60_000);

  it('retries a transient 500 and a secondary rate limit, then succeeds', async () => {
    const b = await bed();
    b.push('feat: a');
    b.workspace();
    b.gh.fault({ method: 'POST', route: '/repos/{owner}/{repo}/releases', status: 500 });
    b.gh.fault({ method: 'POST', route: '/repos/{owner}/{repo}/releases', status: 429, retryAfter: 1 });
    const r = await b.run();
    expect(r.exitCode).toBe(0);
    expect(b.gh.calls({ method: 'POST' }).map((c) => c.status)).toEqual([500, 429, 201]);
    expect(r.annotations.some((a) => a.level === 'warning' && /rate limit/.test(a.message))).toBe(true);
  }, 60_000);

  it('race: another run pushed the same version from another commit -> clear error, no release', async () => {
    const b = await bed();
    b.tag('v1.0.0');
    b.push('feat: mine');
    const ws = b.workspace();
    // Another run released v1.1.0 from a newer commit after our checkout.
    const theirs = b.push('feat: theirs');
    b.tag('v1.1.0', theirs);
    const r = await b.run({}, ws);
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^Tag v1\.1\.0 already exists on the remote at [0-9a-f]{7}, not at this commit [0-9a-f]{7}/,
    );
    expect(b.gh.state.releases).toHaveLength(0);
    expect(git(b.remote, ['rev-parse', 'v1.1.0^{commit}'])).toBe(theirs);
  });

  it('race: the same commit was tagged meanwhile -> carries on to the release', async () => {
    const b = await bed();
    b.tag('v1.0.0');
    b.push('fix: same');
    const ws = b.workspace();
    b.tag('v1.0.1');
    const r = await b.run({}, ws);
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ tag: 'v1.0.1', released: 'true' });
    expect(b.gh.state.releases.map((x) => x.tag_name)).toEqual(['v1.0.1']);
  });

  it('deepens a shallow clone down to the last release only', async () => {
    const b = await bed();
    for (let i = 0; i < 30; i++) b.push(`chore: old ${i}`);
    b.tag('v3.1.0');
    b.push('fix: one', 'feat: two', 'fix: three');
    const ws = b.workspace(1);
    expect(git(ws, ['rev-parse', '--is-shallow-repository'])).toBe('true');
    const r = await b.run({ 'dry-run': 'false' }, ws);
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: '3.2.0', 'previous-tag': 'v3.1.0' });
    const fetched = Number(git(ws, ['rev-list', '--count', 'HEAD']));
    expect(fetched).toBeLessThan(10);
  });

  it('dry-run on a shallow clone fails with the fetch-depth hint and needs no token', async () => {
    const b = await bed();
    b.push('feat: a', 'fix: b');
    const ws = b.workspace(1);
    const r = await b.run({ 'dry-run': 'true', 'github-token': '' }, ws);
    expect(r.exitCode).toBe(1);
    expect(r.error).toContain('set `fetch-depth: 0`');
  });

  it('dry-run computes everything and writes nothing', async () => {
    const b = await bed();
    b.push('feat!: breaking');
    b.workspace();
    const r = await b.run({ 'dry-run': 'true', 'github-token': '', 'major-on-zero': 'true' });
    expect(r.outputs).toMatchObject({ version: '0.1.0', released: 'true' });
    expect(b.gh.calls()).toEqual([]);
    expect(b.remoteTags()).toEqual([]);
    expect(r.summary).toContain('Would release v0.1.0 (dry run)');
  });

  it('takes the two pre-1.0 switches alone (a feature bumps minor with bump-minor-pre-major only) and refuses them against major-on-zero', async () => {
    const b = await bed();
    b.tag('v0.26.0');
    b.push('feat: a');
    b.workspace();
    const alone = await b.run({
      'dry-run': 'true',
      'github-token': '',
      'bump-minor-pre-major': 'true',
      'bump-patch-for-minor-pre-major': 'false',
    });
    expect(alone.outputs).toMatchObject({ version: '0.27.0' });
    const conflict = await b.run({
      'dry-run': 'true',
      'github-token': '',
      'major-on-zero': 'true',
      'bump-minor-pre-major': 'true',
    });
    expect(conflict.error).toBe(
      'Input \'major-on-zero\': expected false with bump-minor-pre-major: true (major-on-zero: true means both are false; set the two switches alone) (got "true").',
    );
  });

  it('prerelease channel: rc.1, rc.2, then the stable release drops the suffix', async () => {
    const b = await bed();
    b.tag('v1.2.0');
    b.push('feat: a');
    b.workspace();
    expect((await b.run({ prerelease: 'rc' })).outputs.version).toBe('1.3.0-rc.1');
    b.push('fix: b');
    b.workspace();
    const rc2 = await b.run({ prerelease: 'rc', 'floating-tags': 'true' });
    expect(rc2.outputs.version).toBe('1.3.0-rc.2');
    expect(b.remoteTags()).not.toContain('v1');
    expect(b.gh.state.releases.find((x) => x.tag_name === 'v1.3.0-rc.2')?.prerelease).toBe(true);
    const stable = await b.run({ 'floating-tags': 'true' });
    expect(stable.outputs).toMatchObject({ version: '1.3.0', 'previous-tag': 'v1.2.0', 'release-type': 'minor' });
    expect(stable.outputs.changelog).toContain('- a (');
    expect(b.remoteTags()).toEqual(['v1', 'v1.2.0', 'v1.3', 'v1.3.0', 'v1.3.0-rc.1', 'v1.3.0-rc.2']);
  });

  it('monorepo: path and tag-prefix scope the commits and the tags', async () => {
    const b = await bed();
    b.tag('api-v1.0.0');
    b.tag('v9.0.0');
    git(b.seed, ['commit', '-q', '--allow-empty', '-m', 'feat(web): not api']);
    b.push();
    const { commit } = await import('@rollgate/testbed');
    commit(b.seed, 'fix(api): api only', { 'services/api/x.txt': 'x' });
    commit(b.seed, 'feat(web): web only', { 'services/web/y.txt': 'y' });
    b.push();
    b.workspace();
    const r = await b.run({ path: 'services/api', 'tag-prefix': 'api-v', 'dry-run': 'true' });
    expect(r.outputs).toMatchObject({
      version: '1.0.1',
      tag: 'api-v1.0.1',
      'previous-tag': 'api-v1.0.0',
      'release-type': 'patch',
    });
    expect(r.outputs.changelog).not.toContain('web');
  });

  it.each([['pkg@'], ['@scope/pkg@'], ['pkg/v'], ['conventional-changelog-angular@']])(
    'takes lerna-style and path-like tag prefixes: %s',
    async (prefix) => {
      const b = await bed();
      b.tag(`${prefix}1.2.0`);
      b.tag('v9.0.0');
      b.push('feat: a');
      b.workspace();
      const r = await b.run({ 'tag-prefix': prefix, 'dry-run': 'true', 'github-token': '' });
      expect(r.error).toBeUndefined();
      expect(r.outputs).toMatchObject({ version: '1.3.0', tag: `${prefix}1.3.0`, 'previous-tag': `${prefix}1.2.0` });
    },
  );

  it('reads `feat:  two spaces` as a feature, and names a typed-looking header it cannot read in the summary', async () => {
    const b = await bed();
    b.tag('v1.2.0');
    b.push('feat:  two spaces', 'fix:no space');
    b.workspace();
    const r = await b.run({ 'dry-run': 'true', 'github-token': '' });
    expect(r.outputs).toMatchObject({ version: '1.3.0', 'release-type': 'minor' });
    expect(r.summary).toMatch(/### Headers not read[\s\S]*- `[0-9a-f]{7} fix:no space`/);
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringContaining('fix:no space: the header looks typed'),
      }),
    );
  });

  it('names lerna-style tags when tag-prefix matches none of them', async () => {
    const b = await bed();
    b.tag('@scope/pkg@2.0.0');
    b.push('fix: a');
    b.workspace();
    const r = await b.run({ 'dry-run': 'true', 'github-token': '' });
    expect(r.error).toMatch(
      /^No tag starts with tag-prefix 'v', but the repository has other version tags: @scope\/pkg@2\.0\.0\. Set tag-prefix to match them \(e\.g\. '@scope\/pkg@'\)/,
    );
  });

  it('the last release is the highest semver reachable from HEAD, not the newest or another branch', async () => {
    const b = await bed();
    b.tag('v1.10.0');
    git(b.seed, ['checkout', '-q', '-b', 'other']);
    b.push();
    const { commit } = await import('@rollgate/testbed');
    commit(b.seed, 'feat: other branch');
    git(b.seed, ['push', '-q', 'origin', 'other']);
    b.tag('v5.0.0');
    git(b.seed, ['checkout', '-q', 'main']);
    b.tag('v1.9.0'); // newer by date, lower by version
    b.push('fix: on main');
    b.workspace();
    const r = await b.run({ 'dry-run': 'true' });
    expect(r.outputs).toMatchObject({ version: '1.10.1', 'previous-tag': 'v1.10.0' });
  });

  it('attaches assets: draft, upload, publish', async () => {
    const b = await bed();
    b.push('feat: a');
    const ws = b.workspace();
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(`${ws}/out`);
    writeFileSync(`${ws}/out/app.tar.gz`, 'archive');
    writeFileSync(`${ws}/out/build-manifest.json`, '{}');
    const r = await b.run({ assets: 'out/*.tar.gz\nout/*.json' });
    expect(r.exitCode).toBe(0);
    expect(b.gh.state.assets.map((a) => a.name).sort()).toEqual(['app.tar.gz', 'build-manifest.json']);
    expect(b.gh.state.releases[0]?.draft).toBe(false);
  });

  describe('bad input: one clear error, nothing written', () => {
    it.each([
      [{ 'release-rules': 'refactor:huge' }, /^Input 'release-rules': expected type:bump pairs/],
      [{ 'tag-prefix': '-v' }, /^Input 'tag-prefix': expected letters, digits/],
      [{ 'tag-prefix': 'pkg@{v' }, /^Input 'tag-prefix': expected letters, digits/],
      [{ 'tag-prefix': 'a..b' }, /^Input 'tag-prefix': expected letters, digits/],
      [{ 'tag-prefix': 'pkg/.v' }, /^Input 'tag-prefix': expected letters, digits/],
      [{ prerelease: 'rc.1' }, /^Input 'prerelease': expected a channel name/],
      [{ 'initial-version': '1.0' }, /^Input 'initial-version': expected a version such as 0.1.0/],
      [{ 'dry-run': 'yes' }, /^Input 'dry-run': expected true or false \(got "yes"\)/],
      [{ assets: 'nothing/*.zip' }, /^Input 'assets': expected patterns that match at least one file/],
      [{ 'github-token': '' }, /^Input 'github-token': expected a value/],
    ])('%j', async (inputs, message) => {
      const b = await bed();
      b.push('feat: a');
      b.workspace();
      const r = await b.run(inputs);
      expect(r.exitCode).toBe(1);
      expect(r.error).toMatch(message);
      expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
      expect(b.remoteTags()).toEqual([]);
      expect(b.gh.calls()).toEqual([]);
    });

    it('an existing tag that is not valid semver', async () => {
      const b = await bed();
      b.tag('v1.02.0');
      b.tag('v-latest');
      b.push('feat: a');
      b.workspace();
      const r = await b.run();
      expect(r.error).toMatch(/^Tag 'v1\.02\.0' is not a valid semantic version/);
      expect(b.gh.calls()).toEqual([]);
    });

    it('a tag with the prefix that is no version at all is ignored with a notice', async () => {
      const b = await bed();
      b.tag('v-latest');
      b.push('feat: a');
      b.workspace();
      const r = await b.run({ 'dry-run': 'true' });
      expect(r.exitCode).toBe(0);
      expect(r.annotations).toContainEqual({
        level: 'notice',
        message: 'Ignoring tags that are not semantic versions: v-latest',
      });
    });
  });
});
