/**
 * Release decisions replayed on the real histories of two projects outside the
 * release-please family, range by range: the commits between two release tags must give the
 * version the maintainers tagged (both projects release with semantic-release, so the tags
 * are its decisions), and at every commit between releases our release type must equal
 * semantic-release's own commit-analyzer run on the same commits, except where a revert in
 * the range is decided by our documented revert rules.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCommits } from '@semantic-release/commit-analyzer';
import {
  DEFAULT_RULES,
  cancelReverts,
  compareSemVer,
  changesOf,
  parseSemVer,
  planRelease,
  releaseTypeOf,
  type Commit,
  type SemVer,
} from '@rollgate/versioning';

interface History {
  source: string;
  releases: { tag: string; previous: string; commits: (Commit & { parents: number })[] }[];
}

const load = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as History;
const options = {
  rules: DEFAULT_RULES,
  preMajor: { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: true },
  prerelease: '',
  initialVersion: '0.1.0',
  tagPrefix: 'v',
};
const version = (tag: string) => parseSemVer(tag.replace(/^v/, '')) as SemVer;

function replay(history: History) {
  const results = history.releases.map((r) => {
    const changes = r.commits.flatMap((c) => changesOf(c));
    const plan = planRelease({ name: r.previous, version: version(r.previous), sha: '' }, changes, [], options);
    return { range: `${r.previous}..${r.tag}`, expected: r.tag, computed: plan.next?.tag ?? 'none' };
  });
  const mismatches = results.filter((r) => r.computed !== r.expected);
  // A release whose tag is not an ancestor (v4.3.2 between v4.3.1 and v4.3.3, tagged elsewhere or
  // lost): the range holds two releases, and the commits give the first of them.
  const between = (m: (typeof results)[number]) =>
    m.computed !== 'none' &&
    compareSemVer(version(m.computed), version(m.expected)) < 0 &&
    compareSemVer(version(m.computed), version(m.range.split('..')[0] as string)) > 0;
  const gaps = mismatches.filter(between);
  return { results, mismatches: mismatches.filter((m) => !gaps.includes(m)), gaps };
}

const logger = { log: () => undefined, error: () => undefined };
async function oracle(history: History) {
  const differences: { at: string; semanticRelease: string; ours: string }[] = [];
  let points = 0;
  for (const r of history.releases) {
    for (let k = 1; k <= r.commits.length; k++) {
      const commits = r.commits.slice(0, k);
      const changes = commits.flatMap((c) => changesOf(c));
      if (changes.some((c) => c.type === 'revert')) continue; // covered by the revert rules' own tests
      points++;
      const commitsForSr = commits.filter((c) => c.parents < 2).map((c) => ({ hash: c.sha, message: c.message }));
      const sr = (await analyzeCommits({}, { commits: commitsForSr, logger, cwd: process.cwd() })) ?? 'none';
      const ours = releaseTypeOf(cancelReverts(changes, DEFAULT_RULES), DEFAULT_RULES);
      if (sr !== ours)
        differences.push({
          at: `${r.previous}..${(commits.at(-1) as Commit).sha.slice(0, 7)}`,
          semanticRelease: sr,
          ours,
        });
    }
  }
  return { points, differences };
}

describe('replaying semantic-release/github (167 releases, v1.0.0 -> v12.0.9)', () => {
  const history = load('semantic-release-github-history.json');
  it('computes every tagged version, squash bodies, footer-only majors and reverts included', () => {
    const { results, mismatches, gaps } = replay(history);
    expect(results).toHaveLength(167);
    expect(mismatches).toEqual([]);
    expect(gaps).toEqual([]);
    // The classes this history holds, each decided as its maintainers did:
    const byRange = new Map(results.map((r) => [r.range, r.computed]));
    expect(byRange.get('v8.1.0..v9.0.0')).toBe('v9.0.0'); // `v9 (#639)` + BREAKING CHANGE footers
    expect(byRange.get('v11.0.0..v11.0.1')).toBe('v11.0.1'); // squash body listing `* feat:` commits
  });
  it('agrees with semantic-release at every commit between releases', async () => {
    const { points, differences } = await oracle(history);
    expect(points).toBeGreaterThan(900);
    expect(differences).toEqual([]);
  }, 60_000);
});

describe('replaying semantic-release/semantic-release (339 releases)', () => {
  const history = load('semantic-release-history.json');
  it('computes every tagged version, the revert of an unreleased chore included', () => {
    const { results, mismatches, gaps } = replay(history);
    expect(results).toHaveLength(339);
    expect(gaps.map((g) => `${g.range} -> ${g.computed}`)).toEqual([
      'v4.3.1..v4.3.3 -> v4.3.2',
      'v8.0.0..v8.0.2 -> v8.0.1',
      'v12.3.0..v12.4.1 -> v12.4.0',
    ]);
    // `Revert "chore(deps): update dependency ava to v5.1.1" (#2682)` reverts an unreleased chore in
    // the same range. semantic-release released a patch for it; so does the default
    // (revertsOfNothing: patch).
    expect(mismatches).toEqual([]);
    expect(results.find((r) => r.range === 'v20.0.2..v20.0.3')?.computed).toBe('v20.0.3');
    // `Revert "fix(deps): update dependency yargs to v17" (#2534)` of a released fix: a patch.
    expect(results.find((r) => r.range === 'v19.0.4..v19.0.5')?.computed).toBe('v19.0.5');
  });
  it('agrees with semantic-release at every commit between releases', async () => {
    const { points, differences } = await oracle(history);
    expect(points).toBeGreaterThan(2000);
    expect(differences).toEqual([]);
  }, 120_000);
});
