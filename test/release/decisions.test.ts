/**
 * Release decisions through the bundled action on a real git history, each class built from
 * real commit text of public repositories (named beside each case): squash merges, bot
 * bodies, footer-only breaking changes, reverts; and the settings that would silently never
 * release.
 */
import { describe, expect, it } from '@jest/globals';
import { bed } from './fixture.js';

const DRY = { 'dry-run': 'true', 'github-token': '' };

describe('release decisions (bundle, real git history)', () => {
  it('a squash merge releases what its title says, not what its bullets list (semantic-release/github #892)', async () => {
    const b = await bed();
    b.tag('v11.0.0');
    b.push(
      'fix(edge-case): fetching `associatedPRs` on 100+ `context.commits` in `success` lifecycle (#892)\n\n* refactor: stop export of `buildAssociatedPRsQuery`\n\n* feat: add `pageInfo` to `getAssociatedPRs` query\n\n* test: fix `intergration`',
    );
    b.workspace();
    const r = await b.run(DRY);
    expect(r.outputs).toMatchObject({ version: '11.0.1', 'release-type': 'patch' });
    expect(r.outputs.changelog).not.toContain('pageInfo');
  });

  it('a chore whose body quotes an upstream changelog releases nothing', async () => {
    const b = await bed();
    b.tag('v2.3.0');
    b.push(
      'chore(deps): update dependency execa to v9 (#812)\n\n### Release Notes\n\n- feat: add `verbose` option by @ehmicky\n- fix: handle EPIPE by @ehmicky',
    );
    b.workspace();
    const r = await b.run(DRY);
    expect(r.outputs).toMatchObject({ released: 'false', 'release-type': 'none', version: '2.3.0' });
  });

  it('opting into nested commits reads BEGIN_NESTED_COMMIT blocks', async () => {
    const b = await bed();
    b.tag('v1.0.0');
    b.push('chore: regenerate clients\n\nBEGIN_NESTED_COMMIT\nfeat(api): add the Widgets service\nEND_NESTED_COMMIT');
    b.workspace();
    expect((await b.run(DRY)).outputs['release-type']).toBe('none');
    const nested = await b.run({ ...DRY, 'nested-commits': 'true' });
    expect(nested.outputs).toMatchObject({ version: '1.1.0', 'release-type': 'minor' });
    expect(nested.outputs.changelog).toContain('**api:** add the Widgets service');
  });

  it('a BREAKING CHANGE footer under a free-form title makes a major, with a notice naming the commit (semantic-release/github v9)', async () => {
    const b = await bed();
    b.tag('v8.1.0');
    const head = b.push(
      'v9 (#639)\n\nBREAKING CHANGE: `@semantic-release/github` is now a native ES Module\n\nBREAKING CHANGE: Node 14 and 16 are no longer supported',
    );
    b.workspace();
    const r = await b.run(DRY);
    expect(r.outputs).toMatchObject({ version: '9.0.0', 'release-type': 'major' });
    expect(r.outputs.changelog).toContain('Node 14 and 16 are no longer supported');
    const notice = r.annotations.find((a) => a.level === 'notice' && a.message.includes(head.slice(0, 7)));
    expect(notice?.message).toContain("'v9 (#639)' has a title that is not a Conventional Commit");
  });

  it("GitHub's revert of a released fix releases a patch (semantic-release 19.0.5)", async () => {
    const b = await bed();
    const fix = b.push('fix(deps): update dependency yargs to v17');
    b.tag('v19.0.4');
    b.push(
      'docs: add semantic-release-react-native to plugin list (#2523)',
      `Revert "fix(deps): update dependency yargs to v17" (#2534)\n\nReverts #1912, fixes #2533\n\nThis reverts commit ${fix}.`,
    );
    b.workspace();
    const r = await b.run(DRY);
    expect(r.outputs).toMatchObject({ version: '19.0.5', 'release-type': 'patch' });
    expect(r.outputs.changelog).toContain('### Reverts\n\n- deps: update dependency yargs to v17');
  });

  it('a feature added and reverted between two releases releases nothing; by sha and by quoted title', async () => {
    const b = await bed();
    b.tag('v1.4.0');
    const feat = b.push('feat: verify OAuth scopes of classic GitHub PATs (#910)');
    b.push(
      `revert: feat: verify OAuth scopes of classic GitHub PATs (#910)\n\nThis reverts commit ${feat}.`,
      'docs: typo',
    );
    b.workspace();
    expect((await b.run(DRY)).outputs).toMatchObject({ released: 'false', 'release-type': 'none' });
    b.push('feat(api): add /v2 (#12)', 'Revert "feat(api): add /v2 (#12)" (#13)');
    b.workspace();
    expect((await b.run(DRY)).outputs).toMatchObject({ released: 'false', 'release-type': 'none' });
  });

  it('a tag-prefix that matches no tag next to other version tags: an error naming them, or a warning with initial-version', async () => {
    const b = await bed();
    for (const v of ['v1.0.0', 'v1.1.0', 'v2.0.0']) b.tag(v);
    b.push('feat: x');
    b.workspace();
    const r = await b.run({ ...DRY, 'tag-prefix': 'release-' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^No tag starts with tag-prefix 'release-', but the repository has other version tags: v2\.0\.0, v1\.1\.0, v1\.0\.0\. Set tag-prefix to match them \(e\.g\. 'v'\)/,
    );
    expect(r.outputs).toEqual({});
    const explicit = await b.run({ ...DRY, 'tag-prefix': 'release-', 'initial-version': '0.1.0' });
    expect(explicit.exitCode).toBe(0);
    expect(explicit.outputs).toMatchObject({ tag: 'release-0.1.0' });
    expect(explicit.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringContaining('v2.0.0, v1.1.0, v1.0.0. Starting a new series at 0.1.0'),
    ]);
  });

  it("tag-prefix given empty means no prefix (not action.yml's default v); left out it is v", async () => {
    const b = await bed();
    b.tag('1.4.0');
    b.push('feat: bare version tags');
    b.workspace();
    const bare = await b.run({ ...DRY, 'tag-prefix': '' });
    expect(bare.outputs).toMatchObject({ tag: '1.5.0', 'previous-tag': '1.4.0' });
    // Left out, the runner passes the default v, which matches none of the bare tags.
    const left = await b.run(DRY);
    expect(left.error).toMatch(
      /^No tag starts with tag-prefix 'v', but the repository has other version tags: 1\.4\.0/,
    );
  });

  it('a path that does not exist at HEAD is an error, before anything is written', async () => {
    const b = await bed();
    b.tag('v1.0.0');
    b.push('fix: x');
    b.workspace();
    const r = await b.run({ path: 'services/apii' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^path 'services\/apii' does not exist at HEAD/);
    expect(b.remoteTags()).toEqual(['v1.0.0']);
    expect(b.gh.calls()).toEqual([]);
  });

  it('commit text cannot mention, embed or hide in the release notes', async () => {
    const b = await bed();
    b.tag('v1.0.0');
    b.push(
      'fix: ping @everyone and @acme/team <img src="https://t.example/p.gif"> ![x](https://t.example/q.gif)',
      'feat: <!-- hide the rest',
    );
    b.workspace();
    const r = await b.run(DRY);
    const notes = r.outputs.changelog as string;
    expect(notes).not.toMatch(/@(everyone|acme)/);
    expect(notes).toContain('@\u200beveryone');
    expect(notes).not.toMatch(/<img|<!--|!\[/);
    expect(notes).toContain('&lt;!-- hide the rest');
  });
});
