import { describe, expect, it } from '@jest/globals';
import { changesOf, parseMessage, unreadable } from '../src/index.js';

const sha = 'a'.repeat(40);

describe('parseMessage', () => {
  it('reads type, scope and subject', () => {
    expect(parseMessage(sha, 'feat(api): add /health')).toEqual({
      sha,
      type: 'feat',
      scope: 'api',
      subject: 'add /health',
      header: 'feat(api): add /health',
      breaking: false,
      breakingNotes: [],
      conventional: true,
    });
    expect(parseMessage(sha, 'fix: crash')?.scope).toBeUndefined();
    expect(parseMessage(sha, 'Feat: capitalised type')?.type).toBe('feat');
  });
  it('marks breaking changes by ! and by footer', () => {
    expect(parseMessage(sha, 'feat(api)!: drop v1')).toMatchObject({ breaking: true, breakingNotes: ['drop v1'] });
    expect(parseMessage(sha, 'refactor!: rename')).toMatchObject({ type: 'refactor', breaking: true });
    const footer = parseMessage(
      sha,
      'fix: x\n\nbody text\n\nBREAKING CHANGE: the config moved\nto a new file\nRefs: #12',
    );
    expect(footer).toMatchObject({ breaking: true, breakingNotes: ['the config moved\nto a new file'] });
    expect(parseMessage(sha, 'fix: x\n\nBREAKING-CHANGE: hyphen form')).toMatchObject({ breaking: true });
    expect(parseMessage(sha, 'fix: x\n\nThis is not a BREAKING CHANGE: mid-line')).toMatchObject({ breaking: false });
  });
  it('ignores what is not conventional', () => {
    for (const m of ['Update README', 'feat:no space', 'feat : space before', ': nothing', 'feat(): empty scope?']) {
      const c = parseMessage(sha, m);
      if (m === 'feat(): empty scope?') expect(c?.scope).toBeUndefined();
      else expect(c).toBeUndefined();
    }
  });
  it('reads reverts and the sha they revert', () => {
    expect(parseMessage(sha, 'Revert "feat(api): add x"\n\nThis reverts commit 1234567890abcdef.')).toMatchObject({
      type: 'revert',
      subject: 'api: add x',
      reverts: ['1234567890abcdef'],
    });
  });
});

describe('changesOf: the header decides', () => {
  it('gives nothing for merge commits', () => {
    expect(changesOf({ sha, message: 'Merge pull request #3 from a/b\n\nfeat: x', parents: 2 })).toEqual([]);
    expect(changesOf({ sha, message: "Merge branch 'main' into x" })).toEqual([]);
  });
  // semantic-release/github dfe47e94 (#892), released by its maintainers as 11.0.1, a patch.
  const squash =
    'fix(edge-case): fetching `associatedPRs` on 100+ `context.commits` in `success` lifecycle (#892)\n\n' +
    '* refactor: stop export of `buildAssociatedPRsQuery`\n\n* feat: add `pageInfo` to `getAssociatedPRs` query\n\n' +
    '* feat: add `loadSingleCommitAssociatedPRs` graphql query\n\n* test: fix unit tests in `success`';
  it('a squash merge is its title: bullet lists of branch commits are not commits', () => {
    expect(changesOf({ sha, message: squash }).map((c) => c.type)).toEqual(['fix']);
  });
  it('a bot body quoting an upstream changelog is not commits', () => {
    // Renovate's squash body (its PR description, with GitHub's generated release notes quoted).
    const bot =
      'chore(deps): update dependency execa to v9 (#812)\n\n[![Mend Renovate](https://app.renovatebot.com/images/banner.svg)](https://renovatebot.com)\n\n' +
      "### Release Notes\n\n<details>\n<summary>sindresorhus/execa (execa)</summary>\n\n## What's Changed\n" +
      '- feat: add `verbose` option by @ehmicky in https://github.com/sindresorhus/execa/pull/1\n* fix: handle EPIPE by @ehmicky in https://github.com/sindresorhus/execa/pull/2\n' +
      '- fix(types)!: stricter `stdio` types\n\n</details>';
    expect(changesOf({ sha, message: bot }).map((c) => [c.type, c.breaking])).toEqual([['chore', false]]);
  });
  it('a BREAKING CHANGE footer counts under a free-form title, as a non-conventional change', () => {
    // semantic-release/github a589e184, released as 9.0.0.
    const v9 =
      'v9 (#639)\n\nBREAKING CHANGE: `@semantic-release/github` is now a native ES Module\n\nBREAKING CHANGE: Node 14 and 16 are no longer supported';
    expect(changesOf({ sha, message: v9 })).toEqual([
      {
        sha,
        type: '',
        subject: 'v9 (#639)',
        header: 'v9 (#639)',
        breaking: true,
        conventional: false,
        breakingNotes: [
          '`@semantic-release/github` is now a native ES Module',
          'Node 14 and 16 are no longer supported',
        ],
      },
    ]);
    expect(changesOf({ sha, message: 'Update README\n\nsome text' })).toEqual([]);
  });
  it('a squash body carrying a BREAKING CHANGE footer is breaking whatever its bullets say', () => {
    const message =
      'Add health endpoints (#42)\n\n* feat(api): add /health\n\n* docs: explain\n\nBREAKING CHANGE: old /status removed';
    expect(changesOf({ sha, message })).toMatchObject([{ breaking: true, breakingNotes: ['old /status removed'] }]);
  });
  it('reads release-please nested commits only when asked', () => {
    const message =
      'feat(parser): main feature\nmain commit body\n\nBEGIN_NESTED_COMMIT\nfix(sub): fix a bug\n\nsome details for the fix\nEND_NESTED_COMMIT\nBEGIN_NESTED_COMMIT\nchore(deps)!: update deps\nEND_NESTED_COMMIT\n';
    expect(changesOf({ sha, message }).map((c) => c.type)).toEqual(['feat']);
    const nested = changesOf({ sha, message }, { nestedCommits: true });
    expect(nested.map((c) => [c.type, c.subject, c.breaking])).toEqual([
      ['feat', 'main feature', false],
      ['fix', 'fix a bug', false],
      ['chore', 'update deps', true],
    ]);
  });
});

describe('reverts', () => {
  it("reads GitHub's squashed revert title and the sha git writes", () => {
    // semantic-release/semantic-release 8f075227, released as 19.0.5.
    const message =
      'Revert "fix(deps): update dependency yargs to v17" (#2534)\n\nReverts #1912, fixes #2533\n\nThis reverts commit f419080fbf86c6319b08ee6b5299525ecc8ee831.';
    expect(parseMessage(sha, message)).toMatchObject({
      type: 'revert',
      subject: 'deps: update dependency yargs to v17',
      revertedHeader: 'fix(deps): update dependency yargs to v17',
      reverts: ['f419080fbf86c6319b08ee6b5299525ecc8ee831'],
    });
  });
  it('reads a revert: typed commit, quoted or not', () => {
    // semantic-release/github 2f3f583.
    expect(
      parseMessage(
        sha,
        'revert: doc: fix a dead link in readme(#209)\n\nThis reverts commit f862364e6845f9e8b39f0966330a530cf2812561.',
      ),
    ).toMatchObject({
      type: 'revert',
      revertedHeader: 'doc: fix a dead link in readme(#209)',
      reverts: ['f862364e6845f9e8b39f0966330a530cf2812561'],
    });
    expect(parseMessage(sha, 'revert: "feat: x"')).toMatchObject({ type: 'revert', revertedHeader: 'feat: x' });
  });
});

describe('headers as the conventional-commits parser reads them', () => {
  it.each([
    ['feat:  two spaces', 'feat', 'two spaces', undefined],
    ['fix(api/v2): slash scope', 'fix', 'slash scope', 'api/v2'],
    ['feat(api,web)!: comma scope', 'feat', 'comma scope', 'api,web'],
  ])('%s', (header, type, subject, scope) => {
    const c = parseMessage('a'.repeat(40), header);
    expect(c).toMatchObject({ type, subject, conventional: true });
    expect(c?.scope).toBe(scope);
  });

  it.each([
    ['feat:x', true],
    ['fix (api): y', true],
    ['Feat : z', true],
    ['feat!:no space', true],
    ['chore: fine', false],
    ['WIP: a typed-looking word is a type', false],
    ['v9 (#639)', false],
    ['Revert "feat: a"', false],
    ['Merge branch main: into x', false],
  ])('a header the action cannot read is flagged when it looks typed: %s -> %s', (header, flagged) => {
    expect(unreadable(header)).toBe(flagged);
  });
});
