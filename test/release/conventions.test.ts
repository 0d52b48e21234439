/**
 * Release conventions replayed on real histories, range by range: for every release tag of a
 * package, the commits since its previous release (under its folder) must give the version the
 * maintainers' tool tagged, under the settings that express that tool's convention:
 *
 * - lerna (conventional-changelog's `pkg@1.2.3` era): `release-rules: *:patch` (any change is
 *   a patch), a breaking change bumps minor before 1.0.0, dependents bumped with a dependency;
 * - release-please (its `pkg-v1.2.3` era, gax-nodejs, nodejs-storage): the defaults, or the
 *   project's own pre-1.0 switches; Release-As footers; the node-workspace dependents bump;
 * - simple-release (conventional-changelog since 2025): `commit-scopes: own`, `shared-scopes: deps`;
 * - standard-version: the defaults.
 *
 * The tools commit their release and tag that commit; the action tags without a commit, so the
 * tool's own release commit (the last of the range) is left out. Ranges the maintainers decided
 * by hand (a breaking change released as a patch, a coordinated 1.0.0, a forced publish, history
 * before Conventional Commits) are listed in replay-deviations.json with what the action
 * computes there; any other difference fails, and so does a listed one that changes.
 * Regenerate the list after a deliberate rule change with UPDATE_REPLAY=1.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_RULES,
  changesOf,
  parseReleaseRules,
  parseSemVer,
  planRelease,
  type Change,
  type Commit,
  type PreMajor,
  type ReleaseRules,
  type SemVer,
} from '@rollgate/versioning';

interface Range {
  tag: string;
  previous: string;
  commits: (Commit & { parents: number })[];
  dependencyTags?: string[];
}
interface Fixture {
  source: string;
  packages: { path: string; prefixes: string[]; releases: Range[] }[];
}
interface Convention {
  name: string;
  rules: ReleaseRules;
  preMajor: PreMajor;
  untyped?: boolean;
  sharedScopes?: string[];
}

const FIXTURES = join(import.meta.dirname, 'fixtures');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Fixture;
const star = parseReleaseRules('*:patch');
if ('error' in star) throw new Error(star.error);
const both = { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: true };
const LERNA: Convention = {
  name: 'lerna',
  rules: star.rules,
  preMajor: { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: false },
  untyped: true,
};
const RELEASE_PLEASE: Convention = { name: 'release-please', rules: DEFAULT_RULES, preMajor: both };
const SIMPLE_RELEASE: Convention = {
  name: 'simple-release',
  rules: DEFAULT_RULES,
  preMajor: both,
  sharedScopes: ['deps'],
};
/** The release commit each tool makes (lerna's "Publish", release-please's release PR, standard-version's chore(release)). */
const RELEASE_COMMIT =
  /^(Publish$|chore\(release\): (publish|monorepo release)|chore\((master|main)\): release|chore: release (main|master)|chore\(release\): \d)/;

const prefixOf = (tag: string, prefixes: string[]) =>
  prefixes.find((p) => tag.startsWith(p) && /^\d/.test(tag.slice(p.length))) as string;
const header = (c: Commit) => c.message.split('\n', 1)[0] ?? '';

/** What the action computes for one range under a convention: the tag, or 'none'. */
function decide(pkg: Fixture['packages'][number], r: Range, convention: Convention): string {
  const last = r.commits.at(-1);
  const commits = last && RELEASE_COMMIT.test(header(last)) ? r.commits.slice(0, -1) : r.commits;
  const name = pkg.path.split('/').at(-1) ?? '';
  const owned = (c: Change) =>
    !convention.sharedScopes ||
    !c.scope ||
    c.scope.split(',').some((s) => [name, ...(convention.sharedScopes ?? [])].includes(s.trim()));
  const changes = commits.flatMap((c) => changesOf(c, { untyped: convention.untyped ?? false })).filter(owned);
  const previous = r.previous.slice(prefixOf(r.previous, pkg.prefixes).length);
  try {
    const plan = planRelease({ name: r.previous, version: parseSemVer(previous) as SemVer, sha: '' }, changes, [], {
      rules: convention.rules,
      preMajor: convention.preMajor,
      prerelease: '',
      initialVersion: '0.1.0',
      tagPrefix: prefixOf(r.tag, pkg.prefixes),
      dependencyBump: r.dependencyTags?.length ? 'patch' : 'none',
    });
    return plan.next?.tag ?? 'none';
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

function replay(fixture: Fixture, conventionOf: (r: Range) => Convention) {
  const rows = fixture.packages.flatMap((pkg) =>
    pkg.releases.map((r) => {
      const convention = conventionOf(r);
      return {
        range: `${r.previous}..${r.tag}`,
        convention: convention.name,
        expected: r.tag,
        computed: decide(pkg, r, convention),
      };
    }),
  );
  const rate = (name: string) => {
    const of = rows.filter((x) => x.convention === name);
    return of.length ? of.filter((x) => x.computed === x.expected).length / of.length : 1;
  };
  const deviations = rows.filter((x) => x.computed !== x.expected).map((x) => `${x.range} -> ${x.computed}`);
  return { rows, rate, deviations };
}

const known = JSON.parse(readFileSync(join(FIXTURES, 'replay-deviations.json'), 'utf8')) as Record<string, string[]>;
const found: Record<string, string[]> = {};
function expectDeviations(name: string, deviations: string[]): void {
  found[name] = deviations;
  if (process.env.UPDATE_REPLAY)
    writeFileSync(join(FIXTURES, 'replay-deviations.json'), JSON.stringify({ ...known, ...found }, null, 1) + '\n');
  else expect(deviations).toEqual(known[name] ?? []);
}

describe('replaying conventional-changelog (24 packages: lerna pkg@ tags, then release-please and simple-release pkg-v tags)', () => {
  const fixture = load('conventional-changelog-packages.json');
  const conventionOf = (r: Range) => {
    if (r.tag.includes('@')) return LERNA;
    return r.commits.some((c) => /^chore\(release\): monorepo release/.test(header(c)))
      ? SIMPLE_RELEASE
      : RELEASE_PLEASE;
  };
  const result = replay(fixture, conventionOf);
  it('decides the tagged version in every range but the documented hand-made ones', () => {
    expect(result.rows.length).toBeGreaterThan(800);
    expectDeviations('conventional-changelog', result.deviations);
    expect(result.rate('lerna')).toBeGreaterThan(0.9);
    expect(result.rate('release-please')).toBeGreaterThan(0.9);
    expect(result.rate('simple-release')).toBeGreaterThan(0.95);
  });
  it('the classes this history holds, each decided as its tool did', () => {
    const byRange = new Map(result.rows.map((x) => [x.range, x.computed]));
    // The format changed from lerna to release-please: the old tag is the previous release.
    expect(byRange.get('conventional-changelog-writer@4.0.18..conventional-changelog-writer-v4.1.0')).toBe(
      'conventional-changelog-writer-v4.1.0',
    );
    // simple-release: a breaking change scoped to other packages does not make angular a major.
    expect(byRange.get('conventional-changelog-angular-v8.0.0..conventional-changelog-angular-v8.1.0')).toBe(
      'conventional-changelog-angular-v8.1.0',
    );
    // lerna: a dependency's release bumps its dependents (a range of only the Publish commit).
    expect(byRange.get('conventional-changelog@3.0.2..conventional-changelog@3.0.3')).toBe(
      'conventional-changelog@3.0.3',
    );
  });
});

describe('replaying googleapis release-please histories', () => {
  it('gax-nodejs packages (gax, tools, logging-utils; v tags, then google-gax-v): the project’s pre-1.0 switches off', () => {
    const convention = { ...RELEASE_PLEASE, preMajor: { bumpMinorPreMajor: false, bumpPatchForMinorPreMajor: false } };
    const { rows, deviations } = replay(load('gax-nodejs-packages.json'), () => convention);
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.find((x) => x.range === 'v4.0.4..google-gax-v4.0.5')?.computed).toBe('google-gax-v4.0.5');
    expectDeviations('gax-nodejs-packages', deviations);
  });
  it('gax-nodejs before the monorepo, with a Release-As footer', () => {
    const convention = { ...RELEASE_PLEASE, preMajor: { bumpMinorPreMajor: false, bumpPatchForMinorPreMajor: false } };
    const { rows, rate, deviations } = replay(load('gax-nodejs-history.json'), () => convention);
    expect(rows.length).toBeGreaterThan(160);
    expect(rate('release-please')).toBeGreaterThan(0.85);
    expectDeviations('gax-nodejs', deviations);
  });
  it('nodejs-storage, whose 7.1.0 was set by an empty commit with Release-As: 7.1.0 over a reverted feat!', () => {
    const { rows, rate, deviations } = replay(load('nodejs-storage-history.json'), () => RELEASE_PLEASE);
    expect(rows.length).toBeGreaterThan(190);
    expect(rows.find((x) => x.range === 'v7.0.1..v7.1.0')?.computed).toBe('v7.1.0');
    expect(rate('release-please')).toBeGreaterThan(0.85);
    expectDeviations('nodejs-storage', deviations);
  });
});

describe('replaying standard-version (its own releases)', () => {
  it('decides every tagged version but the documented ones', () => {
    const { rows, deviations } = replay(load('standard-version-history.json'), () => ({
      ...RELEASE_PLEASE,
      name: 'standard-version',
    }));
    expect(rows.length).toBeGreaterThan(30);
    expectDeviations('standard-version', deviations);
  });
});
