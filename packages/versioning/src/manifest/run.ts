/**
 * Releases every package of a manifest in one run: each decided on its own commits in
 * dependency order (a package whose workspace dependency releases is bumped too), every
 * decision made before the first tag is written, then each written in the same order.
 */
import { ActionError } from '@rollgate/kit';
import {
  completeRelease,
  prepareRelease,
  type PreparedRelease,
  type ReleaseConfig,
  type ReleaseResult,
} from '../release.js';
import { dependencyOrder } from './order.js';
import type { Manifest, ManifestPackage } from './read.js';

export interface PackageResult extends ReleaseResult {
  path: string;
  name: string;
  /** Workspace dependencies released in this run that bumped it. */
  dependencies: { name: string; version: string }[];
}

/** The manifest-wide settings come from `base`; path, tag prefixes, pre-1.0 policy from each package. */
export async function releaseManifest(base: ReleaseConfig, manifest: Manifest): Promise<PackageResult[]> {
  const ordered = dependencyOrder(manifest.packages);
  const prepared: { pkg: ManifestPackage; release: PreparedRelease; dependencies: PackageResult['dependencies'] }[] =
    [];
  const siblings = manifest.packages.flatMap((p) => [p.tagPrefix, ...p.previousTagPrefixes]);
  for (const pkg of ordered) {
    const dependencies = prepared
      .filter((d) => pkg.dependsOn.includes(d.pkg.path) && d.release.result.released)
      .map((d) => ({ name: d.pkg.name, version: d.release.result.version }));
    base.logger?.info(`${pkg.name} (${pkg.path}):`);
    const release = await prepareRelease(packageConfig(base, manifest, pkg, dependencies, siblings)).catch(
      (e: unknown) => {
        throw e instanceof ActionError ? new ActionError(`Package ${pkg.path}: ${e.message}`) : e;
      },
    );
    prepared.push({ pkg, release, dependencies });
  }
  const results: PackageResult[] = [];
  for (const { pkg, release, dependencies } of prepared) {
    const result = base.dryRun ? release.result : await completeRelease(release);
    results.push({ ...result, path: pkg.path, name: pkg.name, dependencies });
  }
  return results;
}

function packageConfig(
  base: ReleaseConfig,
  manifest: Manifest,
  pkg: ManifestPackage,
  dependencyUpdates: PackageResult['dependencies'],
  siblingTagPrefixes: string[],
): ReleaseConfig {
  return {
    ...base,
    path: pkg.path,
    tagPrefix: pkg.tagPrefix,
    previousTagPrefixes: pkg.previousTagPrefixes,
    preMajor: pkg.preMajor,
    ...(pkg.initialVersion ? { initialVersion: pkg.initialVersion, initialVersionSet: true } : {}),
    dependencyUpdates,
    dependentsBump: manifest.dependentsBump,
    ...(manifest.commitScopes === 'own' ? { scopes: { names: scopeNames(pkg), shared: manifest.sharedScopes } } : {}),
    siblingTagPrefixes,
    assets: [],
  };
}

/** The scopes that mean a package: its name, unscoped name and folder (`@acme/cli`, `cli`, `packages/cli` -> cli). */
export function scopeNames(pkg: ManifestPackage): string[] {
  return [...new Set([pkg.name, pkg.name.replace(/^@[^/]+\//, ''), pkg.path.split('/').at(-1) ?? pkg.path])];
}
