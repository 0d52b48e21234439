/**
 * Decides the next release from the changes since the last one. Pure: git facts in, plan out.
 */
import { parseMessage, type Change } from './commits.js';
import { ANY_TYPE, type Bump, type ReleaseRules } from './rules.js';
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
  /**
   * A revert of a commit that released nothing (a `chore:`, a `docs:`): `patch` releases a patch
   * for it, as semantic-release's default rules do (every revert is a patch); `none` drops it.
   * Default patch. A revert of a change that releases something is a patch (or, with the change
   * in the same range, cancels it) either way.
   */
  revertsOfNothing?: 'patch' | 'none';
  /**
   * The least this release bumps because a workspace dependency is released in the same run
   * (a monorepo manifest's dependents bump); `none` or absent when none is.
   */
  dependencyBump?: Bump;
}

/** Raised when a plan cannot be made from the commits as written (a bad Release-As footer). */
export class PlanError extends Error {}

export interface Plan {
  releaseType: Bump;
  /** The version being released, or undefined when nothing is. */
  next?: { version: string; tag: string };
  /** The last release the changes are counted from. */
  previous?: ReleaseTag;
  /** Changes that count (reverted pairs removed), oldest first. */
  changes: Change[];
  /** The commit whose `Release-As:` footer set the version, when one did. */
  releaseAs?: { sha: string; version: string };
}

const ORDER: Bump[] = ['none', 'patch', 'minor', 'major'];

/**
 * Drops a revert together with the change it reverts when both are unreleased (both in the
 * range): the reverted change is found by a sha the revert's body names, else by the header
 * its title quotes. Newest reverts first, so reverting a revert restores the original change.
 * A revert whose target is not in the range (already released) stays and counts. With
 * `revertsOfNothing: 'patch'` (the default), a revert of a change that released nothing also
 * stays and counts as a patch, as semantic-release decides.
 */
export function cancelReverts(
  changes: Change[],
  rules: ReleaseRules,
  revertsOfNothing: 'patch' | 'none' = 'patch',
): Change[] {
  const dropped = new Set<Change>();
  for (let i = changes.length - 1; i >= 0; i--) {
    const revert = changes[i] as Change;
    if (revert.type !== 'revert' || dropped.has(revert)) continue;
    const older = changes.slice(0, i).filter((c) => !dropped.has(c) && c.sha !== revert.sha);
    const shas = revert.reverts ?? [];
    const target =
      older.findLast((c) => shas.some((s) => c.sha.startsWith(s))) ??
      (revert.revertedHeader ? older.findLast((c) => c.header === revert.revertedHeader) : undefined);
    if (!target) continue;
    if (revertsOfNothing === 'patch' && bumpOf(target, rules) === 'none') {
      dropped.add(target);
      continue;
    }
    dropped.add(revert);
    dropped.add(target);
  }
  return changes.filter((c) => !dropped.has(c));
}

function higher(a: Bump, b: Bump): Bump {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

function bumpOf(c: Change, rules: ReleaseRules): Bump {
  return c.breaking ? 'major' : (rules.get(c.type) ?? rules.get(ANY_TYPE) ?? 'none');
}

/**
 * What a change releases. A revert is a revert rule's bump (patch by default), except that
 * with `revertsOfNothing: 'none'` a revert whose quoted header is a change that releases
 * nothing releases nothing.
 */
function changeBump(c: Change, rules: ReleaseRules, revertsOfNothing: 'patch' | 'none'): Bump {
  if (c.type === 'revert' && !c.breaking && revertsOfNothing === 'none' && c.revertedHeader) {
    const reverted = parseMessage(c.sha, c.revertedHeader);
    if (reverted && reverted.type !== 'revert' && bumpOf(reverted, rules) === 'none') return 'none';
  }
  return bumpOf(c, rules);
}

export function releaseTypeOf(
  changes: Change[],
  rules: ReleaseRules,
  revertsOfNothing: 'patch' | 'none' = 'patch',
): Bump {
  let best: Bump = 'none';
  for (const c of changes) {
    const bump = changeBump(c, rules, revertsOfNothing);
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
  const mode = options.revertsOfNothing ?? 'patch';
  const counted = cancelReverts(changes, options.rules, mode);
  const forced = releaseAsOf(counted, lastStable);
  const releaseType = forced
    ? bumpBetween(lastStable?.version, forced.semver)
    : higher(releaseTypeOf(counted, options.rules, mode), options.dependencyBump ?? 'none');
  const base = { releaseType, changes: counted, ...(lastStable ? { previous: lastStable } : {}) };
  if (releaseType === 'none') return base;
  let stable: SemVer;
  if (forced) stable = forced.semver;
  else if (!lastStable) {
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
  return {
    ...base,
    next: { version: text, tag: `${options.tagPrefix}${text}` },
    ...(forced ? { releaseAs: { sha: forced.sha, version: formatSemVer(forced.semver) } } : {}),
  };
}

/**
 * The version a `Release-As:` footer asks for. When several commits carry one, the newest
 * wins, as in release-please (BaseStrategy.buildNewVersion takes the first of its commits,
 * which it lists newest first). Refused when it is not a stable version greater than the
 * last release.
 */
export function releaseAsOf(
  changes: Change[],
  lastStable: ReleaseTag | undefined,
): { sha: string; semver: SemVer } | undefined {
  const carrier = changes.findLast((c) => c.releaseAs !== undefined);
  if (!carrier) return undefined;
  const text = carrier.releaseAs as string;
  const semver = parseSemVer(text.replace(/^v(?=\d)/, ''));
  const where = `Commit ${carrier.sha.slice(0, 7)} '${carrier.header}' has 'Release-As: ${text}'`;
  if (!semver || !isStable(semver))
    throw new PlanError(
      `${where}, which is not a version x.y.z. Push a commit with a footer such as Release-As: 2.0.0.`,
    );
  if (lastStable && compareSemVer(semver, lastStable.version) <= 0)
    throw new PlanError(
      `${where}, which is not greater than the last release ${lastStable.name}. Push a commit with a higher Release-As (or none).`,
    );
  return { sha: carrier.sha, semver };
}

/** The kind of step from one version to a greater one (a first release counts as major). */
function bumpBetween(from: SemVer | undefined, to: SemVer): Exclude<Bump, 'none'> {
  if (!from || to.major !== from.major) return 'major';
  return to.minor !== from.minor ? 'minor' : 'patch';
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
