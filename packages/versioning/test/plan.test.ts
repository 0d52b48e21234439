import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_RULES,
  changesOf,
  parseMessage,
  parseReleaseRules,
  parseSemVer,
  planRelease,
  type Change,
  type PlanOptions,
  type ReleaseTag,
  type SemVer,
} from '../src/index.js';

let n = 0;
const c = (message: string): Change => {
  const sha = (++n).toString(16).padStart(40, '0');
  return (parseMessage(sha, message) ?? {
    sha,
    type: 'none',
    subject: message,
    header: message,
    breaking: false,
    breakingNotes: [],
    conventional: false,
  }) as Change;
};
const tag = (name: string): ReleaseTag => ({
  name: `v${name}`,
  version: parseSemVer(name) as SemVer,
  sha: 'f'.repeat(40),
});
const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({
  rules: DEFAULT_RULES,
  preMajor: { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: true },
  prerelease: '',
  initialVersion: '0.1.0',
  tagPrefix: 'v',
  ...o,
});
const next = (last: string | undefined, messages: string[], o: Partial<PlanOptions> = {}, all: string[] = []) =>
  planRelease(last ? tag(last) : undefined, messages.map(c).filter(Boolean), all.map(tag), opts(o));

describe('bump rules', () => {
  it.each([
    [['fix: a'], 'patch', '1.2.4'],
    [['perf: a'], 'patch', '1.2.4'],
    [['feat: a'], 'minor', '1.3.0'],
    [['fix: a', 'feat: b'], 'minor', '1.3.0'],
    [['feat!: a'], 'major', '2.0.0'],
    [['fix: a\n\nBREAKING CHANGE: b'], 'major', '2.0.0'],
    [['chore!: drop node 18'], 'major', '2.0.0'],
    [['docs: a', 'chore: b', 'refactor: c', 'Update readme'], 'none', undefined],
  ])('%j -> %s', (messages, type, version) => {
    const plan = next('1.2.3', messages);
    expect(plan.releaseType).toBe(type);
    expect(plan.next?.version).toBe(version);
  });

  it('applies configured rules', () => {
    const parsed = parseReleaseRules('refactor:patch, docs:none\nfeat:patch');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(next('1.2.3', ['refactor: x'], { rules: parsed.rules }).next?.version).toBe('1.2.4');
    expect(next('1.2.3', ['feat: x'], { rules: parsed.rules }).next?.version).toBe('1.2.4');
    expect(next('1.2.3', ['feat!: x'], { rules: parsed.rules }).next?.version).toBe('2.0.0');
  });

  it('rejects bad rules with a message naming the entry', () => {
    expect(parseReleaseRules('refactor:huge')).toEqual({
      error: expect.stringContaining("'refactor:huge' is not one"),
    });
    expect(parseReleaseRules('refactor')).toEqual({ error: expect.stringContaining("'refactor'") });
    expect(parseReleaseRules('Bad Type:patch')).toHaveProperty('error');
  });

  it('cancels a revert with the commit it reverts; a lone revert is a patch', () => {
    const feat = c('feat: risky');
    const revert = c(`Revert "feat: risky"\n\nThis reverts commit ${feat.sha}.`);
    expect(planRelease(tag('1.2.3'), [feat, revert], [], opts()).releaseType).toBe('none');
    expect(next('1.2.3', ['Revert "feat: old"\n\nThis reverts commit 0123456789abcdef.']).next?.version).toBe('1.2.4');
  });

  it('a revert of a released change releases a patch (semantic-release/semantic-release 19.0.5)', () => {
    expect(
      next('19.0.4', [
        'docs: add semantic-release-react-native to plugin list (#2523)',
        'Revert "fix(deps): update dependency yargs to v17" (#2534)\n\nThis reverts commit f419080fbf86c6319b08ee6b5299525ecc8ee831.',
      ]).next?.version,
    ).toBe('19.0.5');
    expect(next('22.0.9', ['Revert "fix(deps): update dependency cosmiconfig to v9" (#3090)']).next?.version).toBe(
      '22.0.10',
    );
  });

  it('a revert: typed commit cancels an unreleased change it names by sha', () => {
    const feat = c('feat: allow plugins to set environment variables');
    const revert = c(`revert: feat: allow plugins to set environment variables\n\nThis reverts commit ${feat.sha}.`);
    expect(planRelease(tag('1.2.3'), [c('docs: x'), feat, revert], [], opts()).releaseType).toBe('none');
  });

  it('without a sha, the quoted title finds the reverted change, PR number and all', () => {
    const feat = c('feat(api): add /v2 (#12)');
    const revert = c('Revert "feat(api): add /v2 (#12)" (#13)');
    const plan = planRelease(tag('1.2.3'), [feat, c('docs: y'), revert], [], opts());
    expect(plan.releaseType).toBe('none');
    expect(plan.changes.map((x) => x.type)).toEqual(['docs']);
  });

  it('reverting a revert restores the original change', () => {
    const feat = c('feat: a');
    const revert = c(`Revert "feat: a"\n\nThis reverts commit ${feat.sha}.`);
    const again = c(`Revert "Revert "feat: a""\n\nThis reverts commit ${revert.sha}.`);
    const plan = planRelease(tag('1.2.3'), [feat, revert, again], [], opts());
    expect(plan.changes).toEqual([feat]);
    expect(plan.next?.version).toBe('1.3.0');
  });

  it('revert:none in release-rules stops reverts of released changes from releasing', () => {
    const parsed = parseReleaseRules('revert:none');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(next('1.2.3', ['Revert "fix: old"'], { rules: parsed.rules }).next).toBeUndefined();
  });

  it('a BREAKING CHANGE footer under a free-form title is a major (a minor before 1.0.0)', () => {
    const v9 = 'v9 (#639)\n\nBREAKING CHANGE: `@semantic-release/github` is now a native ES Module';
    expect(next('8.1.0', [v9]).next?.version).toBe('9.0.0');
    expect(next('0.4.2', [v9]).next?.version).toBe('0.5.0');
    expect(
      next('0.4.2', [v9], { preMajor: { bumpMinorPreMajor: false, bumpPatchForMinorPreMajor: false } }).next?.version,
    ).toBe('1.0.0');
  });
});

describe('first release and pre-1.0', () => {
  it('uses initial-version for the first release', () => {
    expect(next(undefined, ['feat: a']).next?.version).toBe('0.1.0');
    expect(next(undefined, ['fix: a'], { initialVersion: '1.0.0' }).next?.version).toBe('1.0.0');
    expect(next(undefined, ['docs: a']).next).toBeUndefined();
  });
  it('before 1.0.0 a breaking change bumps minor and a feature patch', () => {
    expect(next('0.3.1', ['feat!: a']).next?.version).toBe('0.4.0');
    expect(next('0.3.1', ['feat: a']).next?.version).toBe('0.3.2');
    expect(next('0.3.1', ['fix: a']).next?.version).toBe('0.3.2');
  });
  // release-please's DefaultVersioningStrategy: the two switches are independent, and apply only before 1.0.0.
  it.each([
    [true, true, '0.26.1', '0.27.0'],
    [true, false, '0.27.0', '0.27.0'],
    [false, true, '0.26.1', '1.0.0'],
    [false, false, '0.27.0', '1.0.0'],
  ])(
    'bump-minor-pre-major %s, bump-patch-for-minor-pre-major %s: at 0.26.0 a feature gives %s, a breaking change %s',
    (bumpMinorPreMajor, bumpPatchForMinorPreMajor, feature, breaking) => {
      const preMajor = { bumpMinorPreMajor, bumpPatchForMinorPreMajor };
      expect(next('0.26.0', ['feat: a'], { preMajor }).next?.version).toBe(feature);
      expect(next('0.26.0', ['feat!: a'], { preMajor }).next?.version).toBe(breaking);
      expect(next('0.26.0', ['fix: a'], { preMajor }).next?.version).toBe('0.26.1');
      expect(next('1.2.0', ['feat: a'], { preMajor }).next?.version).toBe('1.3.0');
      expect(next('1.2.0', ['fix!: a'], { preMajor }).next?.version).toBe('2.0.0');
    },
  );

  it('major-on-zero lets a breaking change reach 1.0.0', () => {
    expect(
      next('0.3.1', ['feat!: a'], { preMajor: { bumpMinorPreMajor: false, bumpPatchForMinorPreMajor: false } }).next
        ?.version,
    ).toBe('1.0.0');
    expect(
      next('0.3.1', ['feat: a'], { preMajor: { bumpMinorPreMajor: false, bumpPatchForMinorPreMajor: false } }).next
        ?.version,
    ).toBe('0.4.0');
  });
});

describe('prerelease channels', () => {
  it('numbers rc releases from the existing tags', () => {
    expect(next('1.2.0', ['feat: a'], { prerelease: 'rc' }).next).toEqual({
      version: '1.3.0-rc.1',
      tag: 'v1.3.0-rc.1',
    });
    expect(next('1.2.0', ['feat: a', 'fix: b'], { prerelease: 'rc' }, ['1.3.0-rc.1', '1.2.0']).next?.version).toBe(
      '1.3.0-rc.2',
    );
    expect(
      next('1.2.0', ['feat: a'], { prerelease: 'rc' }, ['1.3.0-rc.1', '1.3.0-rc.7', '1.3.0-beta.9']).next?.version,
    ).toBe('1.3.0-rc.8');
    expect(next('1.2.0', ['feat: a'], { prerelease: 'beta' }, ['1.3.0-rc.2']).next?.version).toBe('1.3.0-beta.1');
  });
  it('a breaking change during rc moves to the next major rc', () => {
    expect(next('1.2.0', ['feat: a', 'feat!: b'], { prerelease: 'rc' }, ['1.3.0-rc.1']).next?.version).toBe(
      '2.0.0-rc.1',
    );
  });
  it('promoting to stable drops the suffix', () => {
    expect(next('1.2.0', ['feat: a', 'fix: b'], {}, ['1.3.0-rc.1', '1.3.0-rc.2']).next?.version).toBe('1.3.0');
  });
  it('uses the tag prefix', () => {
    expect(next('1.2.0', ['fix: a'], { tagPrefix: 'api-v' }).next?.tag).toBe('api-v1.2.1');
  });
});

describe('reverts of commits that released nothing', () => {
  const chore = 'chore(deps): update dependency ava to v5.1.1 (#2681)';
  it('are a patch by default, in the same range or not (semantic-release/semantic-release 20.0.3)', () => {
    const target = c(chore);
    const revert = c(`Revert "${chore}" (#2682)\n\nThis reverts commit ${target.sha}.`);
    const plan = planRelease(tag('20.0.2'), [target, revert], [], opts());
    expect(plan.next?.version).toBe('20.0.3');
    expect(plan.changes).toEqual([revert]);
    expect(next('20.0.2', [`Revert "${chore}" (#2682)`]).next?.version).toBe('20.0.3');
  });
  it('release nothing with revertsOfNothing: none, in the same range or not', () => {
    const target = c(chore);
    const revert = c(`Revert "${chore}" (#2682)\n\nThis reverts commit ${target.sha}.`);
    const none = opts({ revertsOfNothing: 'none' });
    expect(planRelease(tag('20.0.2'), [target, revert], [], none).releaseType).toBe('none');
    expect(next('20.0.2', [`Revert "${chore}" (#2682)`], { revertsOfNothing: 'none' }).releaseType).toBe('none');
    // A revert of a change that releases something is a patch under either setting.
    expect(next('20.0.2', ['Revert "fix: a"'], { revertsOfNothing: 'none' }).next?.version).toBe('20.0.3');
  });
  it('a feature and its revert in one range still cancel under either setting', () => {
    const feat = c('feat: risky');
    const revert = c(`Revert "feat: risky"\n\nThis reverts commit ${feat.sha}.`);
    for (const mode of ['patch', 'none'] as const)
      expect(planRelease(tag('1.2.3'), [feat, revert], [], opts({ revertsOfNothing: mode })).releaseType).toBe('none');
  });
});

describe('Release-As footers (release-please)', () => {
  it('force the version, even on a commit that releases nothing', () => {
    const plan = next('1.4.2', ['fix: a', 'chore: release 3.0.0\n\nRelease-As: 3.0.0']);
    expect(plan.next).toEqual({ version: '3.0.0', tag: 'v3.0.0' });
    expect(plan.releaseType).toBe('major');
    expect(plan.releaseAs?.version).toBe('3.0.0');
    expect(next('1.4.2', ['chore: bump\n\nrelease-as: v1.6.0']).next?.version).toBe('1.6.0');
    expect(next('1.4.2', ['feat!: x\n\nRELEASE-AS: 1.4.3']).releaseType).toBe('patch');
  });
  it('the newest footer wins, as release-please reads its newest-first commits', () => {
    expect(next('1.0.0', ['chore: a\n\nRelease-As: 4.0.0', 'chore: b\n\nRelease-As: 2.0.0']).next?.version).toBe(
      '2.0.0',
    );
  });
  it('is the first version when nothing was released, and takes a prerelease channel', () => {
    expect(next(undefined, ['chore: start\n\nRelease-As: 1.0.0']).next?.version).toBe('1.0.0');
    expect(next('1.0.0', ['chore: a\n\nRelease-As: 2.0.0'], { prerelease: 'rc' }).next?.version).toBe('2.0.0-rc.1');
  });
  it('is refused when it is not greater than the last release, or not x.y.z', () => {
    expect(() => next('2.0.0', ['chore: a\n\nRelease-As: 2.0.0'])).toThrow(
      /Release-As: 2\.0\.0', which is not greater than the last release v2\.0\.0/,
    );
    expect(() => next('2.0.0', ['chore: a\n\nRelease-As: 1.9.9'])).toThrow(/not greater/);
    expect(() => next('2.0.0', ['chore: a\n\nRelease-As: three'])).toThrow(
      /'Release-As: three', which is not a version/,
    );
    expect(() => next('2.0.0', ['chore: a\n\nRelease-As: 3.0.0-rc.1'])).toThrow(/not a version x\.y\.z/);
  });
  it('is not read from a body line that is not a footer token, nor from a free-form title', () => {
    expect(next('1.0.0', ['Bump things\n\nRelease-As: 9.0.0']).next).toBeUndefined();
    expect(next('1.0.0', ['fix: a\n\nSee Release-As: 9.0.0 in the docs']).next?.version).toBe('1.0.1');
  });
});

describe('the * release rule (lerna: any change is a patch)', () => {
  it('releases a patch for any other commit, typed or not, and leaves the typed rules alone', () => {
    const parsed = parseReleaseRules('*:patch');
    if ('error' in parsed) throw new Error(parsed.error);
    const untyped = (m: string) => changesOf({ sha: 'a'.repeat(40), message: m }, { untyped: true });
    expect(
      planRelease(tag('1.2.3'), untyped('Switch to ESLint (#293)'), [], opts({ rules: parsed.rules })).next?.version,
    ).toBe('1.2.4');
    expect(next('1.2.3', ['docs: a'], { rules: parsed.rules }).next?.version).toBe('1.2.4');
    expect(next('1.2.3', ['feat: a'], { rules: parsed.rules }).next?.version).toBe('1.3.0');
    expect(changesOf({ sha: 'b'.repeat(40), message: 'Switch to ESLint' })).toEqual([]);
    expect(
      changesOf({ sha: 'c'.repeat(40), message: 'Merge pull request #1 from x/y', parents: 2 }, { untyped: true }),
    ).toEqual([]);
  });
});
