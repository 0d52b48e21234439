/**
 * A monorepo's release manifest: the packages released together, each on its own commits
 * (its path), under its own tag prefix and pre-1.0 policy, with the workspace dependencies
 * that bump it. JSON, close to release-please-config.json's `packages` map:
 *
 *   { "dependents-bump": "patch",
 *     "packages": { "packages/core": {}, "packages/cli": { "tag-prefix": "cli-v" } } }
 *
 * A package's dependencies are the other manifest packages its package.json names (any of
 * dependencies, devDependencies, peerDependencies, optionalDependencies), plus `depends-on`
 * (paths) for packages without a package.json. Pure: the caller reads the files.
 */
import type { PreMajor } from '../plan.js';
import { BUMPS, type Bump } from '../rules.js';
import { parseSemVer } from '../semver.js';

export interface ManifestPackage {
  path: string;
  /** package.json's name, else the path's last folder. */
  name: string;
  tagPrefix: string;
  previousTagPrefixes: string[];
  preMajor: PreMajor;
  initialVersion?: string;
  /** Paths of the manifest packages this one depends on. */
  dependsOn: string[];
}

export interface Manifest {
  packages: ManifestPackage[];
  /**
   * `own`: a commit whose scope names only other packages does not count for a package it
   * touches (simple-release's monorepo rule); `any` (default): every commit under the path counts.
   */
  commitScopes: 'any' | 'own';
  /** With commitScopes own: scopes that count for every package a commit touches (e.g. deps). */
  sharedScopes: string[];
  /** What a package releases when only a dependency of it was released (default patch). */
  dependentsBump: Bump;
}

export class ManifestError extends Error {}

const PACKAGE_KEYS = [
  'name',
  'tag-prefix',
  'previous-tag-prefixes',
  'bump-minor-pre-major',
  'bump-patch-for-minor-pre-major',
  'initial-version',
  'depends-on',
] as const;
const TOP_KEYS = ['packages', 'dependents-bump', 'commit-scopes', 'shared-scopes'];
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
/**
 * Every tag format real projects use (v1.2.3, pkg-v1.2.3, pkg@1.2.3, @scope/pkg@1.2.3,
 * pkg/v1.2.3), within git's rules for a ref name (git check-ref-format): no "..", "//", "@{",
 * no path component starting with "." or ending with ".lock". The action's tag-prefix and the
 * manifest's prefixes both use it.
 */
export const TAG_PREFIX = /^$|^(?!.*(?:\.\.|\/\/|@\{|\/\.|\.lock\/))[@A-Za-z0-9][A-Za-z0-9._/@-]*$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * @param text the manifest file's content
 * @param file its path, for error lines
 * @param packageJson reads `<path>/package.json` (undefined when there is none)
 */
export function parseManifest(
  text: string,
  file: string,
  packageJson: (path: string) => string | undefined,
  defaults: { preMajor: PreMajor } = { preMajor: { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: true } },
): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (!isObject(doc) || !isObject(doc.packages) || Object.keys(doc.packages).length === 0)
    throw new ManifestError(
      `${file}: expected an object with "packages": { "<path>": { ... } } naming at least one package`,
    );
  for (const key of Object.keys(doc))
    if (!TOP_KEYS.includes(key))
      throw new ManifestError(`${file}: unknown key "${key}" (expected one of ${TOP_KEYS.join(', ')})`);
  const commitScopes = doc['commit-scopes'] ?? 'any';
  if (commitScopes !== 'any' && commitScopes !== 'own')
    throw new ManifestError(`${file}: "commit-scopes" must be any or own, got ${JSON.stringify(commitScopes)}`);
  const sharedScopes = strings(file, doc, 'shared-scopes');
  const dependentsBump = doc['dependents-bump'] ?? 'patch';
  if (typeof dependentsBump !== 'string' || !(BUMPS as readonly string[]).includes(dependentsBump))
    throw new ManifestError(
      `${file}: "dependents-bump" must be one of ${BUMPS.join(', ')}, got ${JSON.stringify(dependentsBump)}`,
    );
  const raw = Object.entries(doc.packages).map(([path, entry]) =>
    readEntry(file, path, entry, packageJson, defaults.preMajor),
  );
  const packages = raw.map((p) => p.pkg);
  const byName = new Map(packages.map((p) => [p.name, p.path]));
  const paths = new Set(packages.map((p) => p.path));
  for (const { pkg, depNames } of raw) {
    const fromJson = depNames.map((n) => byName.get(n)).filter((p): p is string => p !== undefined && p !== pkg.path);
    for (const d of pkg.dependsOn)
      if (!paths.has(d))
        throw new ManifestError(`${file}: package "${pkg.path}" depends-on "${d}", which is not in packages`);
    pkg.dependsOn = [...new Set([...pkg.dependsOn, ...fromJson])];
  }
  duplicates(
    file,
    packages.map((p) => p.name),
    'name',
  );
  duplicates(
    file,
    packages.map((p) => p.tagPrefix),
    'tag-prefix',
  );
  return { packages, dependentsBump: dependentsBump as Bump, commitScopes, sharedScopes };
}

function readEntry(
  file: string,
  path: string,
  entry: unknown,
  packageJson: (path: string) => string | undefined,
  preMajor: PreMajor,
) {
  const at = `${file}: packages."${path}"`;
  if (!isObject(entry)) throw new ManifestError(`${at}: expected an object ({} for the defaults)`);
  if (!/^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\0]+$/.test(path) || path.endsWith('/'))
    throw new ManifestError(
      `${at}: expected a folder relative to the repository root, without . or .. parts or a trailing /`,
    );
  for (const key of Object.keys(entry))
    if (!(PACKAGE_KEYS as readonly string[]).includes(key))
      throw new ManifestError(`${at}: unknown key "${key}" (expected one of ${PACKAGE_KEYS.join(', ')})`);
  const json = readPackageJson(at, packageJson(path));
  const name = str(at, entry, 'name') ?? json.name ?? path.split('/').at(-1) ?? path;
  const tagPrefix = str(at, entry, 'tag-prefix') ?? `${name.replace(/^@[^/]+\//, '')}-v`;
  if (!TAG_PREFIX.test(tagPrefix))
    throw new ManifestError(`${at}: "tag-prefix" ${JSON.stringify(tagPrefix)} is not one git takes in a tag name`);
  const previousTagPrefixes = strings(at, entry, 'previous-tag-prefixes');
  for (const p of previousTagPrefixes)
    if (!p || !TAG_PREFIX.test(p))
      throw new ManifestError(`${at}: "previous-tag-prefixes" holds ${JSON.stringify(p)}, not a tag prefix git takes`);
  const initialVersion = str(at, entry, 'initial-version');
  if (initialVersion !== undefined && !parseSemVer(initialVersion))
    throw new ManifestError(
      `${at}: "initial-version" must be a version such as 0.1.0, got ${JSON.stringify(initialVersion)}`,
    );
  const pkg: ManifestPackage = {
    path,
    name,
    tagPrefix,
    previousTagPrefixes,
    preMajor: {
      bumpMinorPreMajor: bool(at, entry, 'bump-minor-pre-major') ?? preMajor.bumpMinorPreMajor,
      bumpPatchForMinorPreMajor:
        bool(at, entry, 'bump-patch-for-minor-pre-major') ?? preMajor.bumpPatchForMinorPreMajor,
    },
    ...(initialVersion ? { initialVersion } : {}),
    dependsOn: strings(at, entry, 'depends-on'),
  };
  return { pkg, depNames: json.dependencies };
}

function readPackageJson(at: string, text: string | undefined): { name?: string; dependencies: string[] } {
  if (text === undefined) return { dependencies: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${at}: its package.json is not JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) return { dependencies: [] };
  const dependencies = DEPENDENCY_FIELDS.flatMap((f) => (isObject(json[f]) ? Object.keys(json[f]) : []));
  return { ...(typeof json.name === 'string' && json.name ? { name: json.name } : {}), dependencies };
}

function str(at: string, entry: Json, key: string): string | undefined {
  const v = entry[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ManifestError(`${at}: "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function bool(at: string, entry: Json, key: string): boolean | undefined {
  const v = entry[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean')
    throw new ManifestError(`${at}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function strings(at: string, entry: Json, key: string): string[] {
  const v = entry[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new ManifestError(`${at}: "${key}" must be a list of strings, got ${JSON.stringify(v)}`);
  return v as string[];
}

function duplicates(file: string, values: string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v))
      throw new ManifestError(`${file}: two packages have the ${what} ${JSON.stringify(v)}; each needs its own`);
    seen.add(v);
  }
}
