/** Semantic Versioning 2.0.0: parse, compare, format, bump. */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Prerelease identifiers, e.g. ['rc', 2]. Empty for a stable version. */
  prerelease: (string | number)[];
}

const NUM = '0|[1-9]\\d*';
const ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const SEMVER = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${ID}(?:\\.${ID})*))?(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?$`,
);

export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  const nums = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  if (!nums.every(Number.isSafeInteger)) return undefined;
  const prerelease = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { major: nums[0], minor: nums[1], patch: nums[2], prerelease };
}

export function formatSemVer(v: SemVer): string {
  const core = `${v.major}.${v.minor}.${v.patch}`;
  return v.prerelease.length ? `${core}-${v.prerelease.join('.')}` : core;
}

/** Precedence as SemVer 2.0.0 §11: negative when a < b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (!a.prerelease.length || !b.prerelease.length) return b.prerelease.length - a.prerelease.length;
  const n = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function isStable(v: SemVer): boolean {
  return v.prerelease.length === 0;
}

export type ReleaseType = 'major' | 'minor' | 'patch';

/** The stable version after `v` for a bump (prerelease parts dropped). */
export function increment(v: SemVer, type: ReleaseType): SemVer {
  if (type === 'major') return { major: v.major + 1, minor: 0, patch: 0, prerelease: [] };
  if (type === 'minor') return { major: v.major, minor: v.minor + 1, patch: 0, prerelease: [] };
  return { major: v.major, minor: v.minor, patch: v.patch + 1, prerelease: [] };
}
