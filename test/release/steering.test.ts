/**
 * What maintainers steer on purpose, through the bundled action on real git histories:
 * `Release-As:` footers (release-please), a tag format that changed (`pkg@` -> `pkg-v`, as
 * conventional-changelog moved from lerna to release-please), and what a revert of a commit
 * that released nothing gives.
 */
import { describe, expect, it } from '@jest/globals';
import { git } from '@rollgate/testbed';
import { TOKEN, bed } from './fixture.js';

const DRY = { 'dry-run': 'true', 'github-token': '' };

describe('Release-As footers', () => {
  it('force the version; the newest wins; a release is made with the tag and the release', async () => {
    const b = await bed();
    b.tag('v1.4.2');
    const head = b.push(
      'chore: release 3.0.0\n\nRelease-As: 3.0.0',
      'fix: a',
      'chore: release 2.0.0\n\nRelease-As: 2.0.0',
    );
    b.workspace();
    const r = await b.run({ 'github-token': TOKEN });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ version: '2.0.0', tag: 'v2.0.0', 'release-type': 'major', released: 'true' });
    expect(r.log.join('\n')).toContain(
      `Commit ${head.slice(0, 7)} sets the version with its footer Release-As: 2.0.0.`,
    );
    expect(git(b.remote, ['rev-parse', 'v2.0.0^{commit}'])).toBe(head);
    expect(b.gh.state.releases.map((x) => x.tag_name)).toEqual(['v2.0.0']);
  });

  it('is refused with one error line, before any tag or API call, when not greater than the last release', async () => {
    const b = await bed();
    b.tag('v2.1.0');
    const head = b.push('feat: a', 'chore: pin\n\nRelease-As: 2.0.0');
    b.workspace();
    const r = await b.run({ 'github-token': TOKEN });
    expect(r.exitCode).toBe(1);
    expect(r.error).toBe(
      `Commit ${head.slice(0, 7)} 'chore: pin' has 'Release-As: 2.0.0', which is not greater than the last release v2.1.0. Push a commit with a higher Release-As (or none).`,
    );
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(b.remoteTags()).toEqual(['v2.1.0']);
    expect(b.gh.calls()).toEqual([]);
  });
});

describe('previous-tag-prefixes', () => {
  it('finds the last release under the old format and tags under the new one', async () => {
    const b = await bed();
    b.tag('conventional-changelog-conventionalcommits@4.5.0');
    b.push('feat(conventionalcommits): a');
    b.workspace();
    const inputs = { ...DRY, 'tag-prefix': 'conventional-changelog-conventionalcommits-v' };
    const refused = await b.run(inputs);
    expect(refused.error).toMatch(/other version tags: conventional-changelog-conventionalcommits@4\.5\.0/);
    const r = await b.run({ ...inputs, 'previous-tag-prefixes': 'conventional-changelog-conventionalcommits@' });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({
      version: '4.6.0',
      tag: 'conventional-changelog-conventionalcommits-v4.6.0',
      'previous-tag': 'conventional-changelog-conventionalcommits@4.5.0',
    });
  });

  it('takes the highest release across both formats, and refuses a prefix git cannot take', async () => {
    const b = await bed();
    b.tag('pkg@1.9.0');
    b.push('fix: a');
    b.tag('pkg-v2.0.0');
    b.push('fix: b');
    b.workspace();
    const r = await b.run({ ...DRY, 'tag-prefix': 'pkg-v', 'previous-tag-prefixes': 'pkg@, pkg/v' });
    expect(r.outputs).toMatchObject({ version: '2.0.1', 'previous-tag': 'pkg-v2.0.0' });
    const bad = await b.run({ ...DRY, 'tag-prefix': 'pkg-v', 'previous-tag-prefixes': 'pkg..x' });
    expect(bad.error).toBe(
      `Input 'previous-tag-prefixes': expected tag prefixes git takes in a tag name (e.g. pkg@ or v) (got "pkg..x").`,
    );
  });
});

describe('non-releasing-reverts', () => {
  const chore = 'chore(deps): update dependency ava to v5.1.1 (#2681)';
  it('a revert of an unreleased chore is a patch by default, as semantic-release released 20.0.3', async () => {
    const b = await bed();
    b.tag('v20.0.2');
    const target = b.push(chore);
    b.push(`Revert "${chore}" (#2682)\n\nThis reverts commit ${target}.`);
    b.workspace();
    const r = await b.run(DRY);
    expect(r.outputs).toMatchObject({ version: '20.0.3', 'release-type': 'patch' });
    expect(r.outputs.changelog).toContain('### Reverts');
    const off = await b.run({ ...DRY, 'non-releasing-reverts': 'none' });
    expect(off.outputs).toMatchObject({ released: 'false', 'release-type': 'none' });
    const bad = await b.run({ ...DRY, 'non-releasing-reverts': 'never' });
    expect(bad.error).toBe(`Input 'non-releasing-reverts': expected one of patch, none (got "never").`);
  });
});
