/**
 * Decides the next release from the changes since the last one. Pure: git facts in, plan out.
 */
import type { Change } from './commits.js';
import type { Bump, ReleaseRules } from './rules.js';
import { compareSemVer, formatSemVer, increment, isStable, parseSemVer, type SemVer } from './semver.js';

export interface ReleaseTag {
  name: string;
  version: SemVer;
  /** The commit the tag points at. */
  sha: string;
}

/**
 * Before 1.0.0, release-please's two switches (DefaultVersioningStrategy): a breaking change
 * bumps minor (`bumpMinorPreMajor`) instead of major, a feature bumps patch
 * (`bumpPatchForMinorPreMajor`) instead of minor. Each is independent.
 */
export interface PreMajor {
  bumpMinorPreMajor: boolean;
  bumpPatchForMinorPreMajor: boolean;
}

export interface PlanOptions {
  rules: ReleaseRules;
  preMajor: PreMajor;
  /** Prerelease channel (e.g. `rc`), empty for stable. */
  prerelease: string;
  initialVersion: string;
  tagPrefix: string;
}

export interface Plan {
  releaseType: Bump;
  /** The version being released, or undefined when nothing is. */
  next?: { version: string; tag: string };
  /** The last release the changes are counted from. */
  previous?: ReleaseTag;
  /** Changes that count (reverted pairs removed), oldest first. */
  changes: Change[];
}

const ORDER: Bump[] = ['none', 'patch', 'minor', 'major'];

/**
 * Drops a revert together with the change it reverts when both are unreleased (both in the
 * range): the reverted change is found by a sha the revert's body names, else by the header
 * its title quotes. Newest reverts first, so reverting a revert restores the original change.
 * A revert whose target is not in the range (already released) stays and counts.
 */
export function cancelReverts(changes: Change[]): Change[] {
  const dropped = new Set<Change>();
  for (let i = changes.length - 1; i >= 0; i--) {
    const revert = changes[i] as Change;
    if (revert.type !== 'revert' || dropped.has(revert)) continue;
    const older = changes.slice(0, i).filter((c) => !dropped.has(c) && c.sha !== revert.sha);
    const shas = revert.reverts ?? [];
    const target =
      older.findLast((c) => shas.some((s) => c.sha.startsWith(s))) ??
      (revert.revertedHeader ? older.findLast((c) => c.header === revert.revertedHeader) : undefined);
    if (target) {
      dropped.add(revert);
      dropped.add(target);
    }
  }
  return changes.filter((c) => !dropped.has(c));
}

export function releaseTypeOf(changes: Change[], rules: ReleaseRules): Bump {
  let best: Bump = 'none';
  for (const c of changes) {
    const bump: Bump = c.breaking ? 'major' : (rules.get(c.type) ?? 'none');
    if (ORDER.indexOf(bump) > ORDER.indexOf(best)) best = bump;
    if (best === 'major') break;
  }
  return best;
}

/** The bump before 1.0.0 under the two pre-major switches (PreMajor); from 1.0.0 on, the bump itself. */
export function effectiveBump(bump: Bump, current: SemVer | undefined, preMajor: PreMajor): Bump {
  if (!current || current.major > 0) return bump;
  if (bump === 'major' && preMajor.bumpMinorPreMajor) return 'minor';
  if (bump === 'minor' && preMajor.bumpPatchForMinorPreMajor) return 'patch';
  return bump;
}

/**
 * @param lastStable the highest stable release reachable from HEAD
 * @param changes the changes since lastStable (or all, with no release yet), oldest first
 * @param allTags every release tag with the prefix (any branch), for prerelease numbering
 */
export function planRelease(
  lastStable: ReleaseTag | undefined,
  changes: Change[],
  allTags: ReleaseTag[],
  options: PlanOptions,
): Plan {
  const counted = cancelReverts(changes);
  const releaseType = releaseTypeOf(counted, options.rules);
  const base = { releaseType, changes: counted, ...(lastStable ? { previous: lastStable } : {}) };
  if (releaseType === 'none') return base;
  let stable: SemVer;
  if (!lastStable) {
    const initial = parseSemVer(options.initialVersion);
    if (!initial || !isStable(initial))
      throw new Error(`initial-version '${options.initialVersion}' is not a stable semantic version`);
    stable = initial;
  } else {
    const bump = effectiveBump(releaseType, lastStable.version, options.preMajor) as Exclude<Bump, 'none'>;
    stable = increment(lastStable.version, bump);
  }
  let version = stable;
  if (options.prerelease) {
    const n = nextPrereleaseNumber(stable, options.prerelease, allTags);
    version = { ...stable, prerelease: [options.prerelease, n] };
  }
  const text = formatSemVer(version);
  return { ...base, next: { version: text, tag: `${options.tagPrefix}${text}` } };
}

/** 1 + the highest N among existing `X.Y.Z-<channel>.N` tags for this version. */
export function nextPrereleaseNumber(version: SemVer, channel: string, tags: ReleaseTag[]): number {
  let max = 0;
  for (const t of tags) {
    const v = t.version;
    if (v.major !== version.major || v.minor !== version.minor || v.patch !== version.patch) continue;
    if (v.prerelease[0] === channel && typeof v.prerelease[1] === 'number') max = Math.max(max, v.prerelease[1]);
  }
  return max + 1;
}

/** Highest version first. */
export function byVersionDesc(a: ReleaseTag, b: ReleaseTag): number {
  return compareSemVer(b.version, a.version);
}
