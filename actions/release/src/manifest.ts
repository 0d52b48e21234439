/**
 * The release action's manifest mode: every package of a monorepo's manifest file released
 * in one run. Reads the manifest (and each package's package.json) from the workspace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, setOutputs, table, writeSummary, runner } from '@rollgate/kit';
import {
  dependencyOrder,
  ManifestError,
  parseManifest,
  releaseManifest,
  type Manifest,
  type PackageResult,
  type PreMajor,
  type ReleaseConfig,
} from '@rollgate/versioning';

/** The manifest, or the one error line that names the input (or the file and key) at fault. */
export function readManifest(workspace: string, file: string, preMajor: PreMajor): Manifest {
  const at = join(workspace, file);
  if (!existsSync(at)) throw new InputError('manifest', 'a JSON file of the repository (path from its root)', file);
  const packageJson = (path: string) => {
    const p = join(workspace, path, 'package.json');
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
  try {
    const manifest = parseManifest(readFileSync(at, 'utf8'), file, packageJson, { preMajor });
    dependencyOrder(manifest.packages); // a cycle is refused here, with the other manifest errors
    return manifest;
  } catch (e) {
    if (e instanceof ManifestError) throw new InputError('manifest', 'a valid release manifest', e.message);
    throw e;
  }
}

export async function runManifest(config: ReleaseConfig, manifest: Manifest): Promise<void> {
  const results = await releaseManifest(config, manifest);
  const released = results.filter((r) => r.released);
  setOutputs({
    released: released.length > 0,
    releases: JSON.stringify(results.map(outputOf)),
  });
  const verb = config.dryRun ? 'Would release' : 'Released';
  const headline = released.length
    ? `${verb} ${released.map((r) => r.tag).join(', ')}`
    : `Nothing to release in ${results.length} package(s)`;
  runner.info(`${headline}${config.dryRun ? ' (dry run)' : ''}.`);
  const rows = results.map((r) => [
    `${r.name} (\`${r.path}\`)`,
    r.previousTag || '—',
    r.released || r.existing ? r.tag : '—',
    r.releaseType,
    why(r),
  ]);
  const notes = released.map((r) => `### ${r.name}\n\n${r.changelog}`).join('\n');
  await writeSummary(
    `## ${headline}${config.dryRun ? ' (dry run)' : ''}\n\n${table(['package', 'previous', 'release', 'type', 'why'], rows)}\n${notes}`,
  );
}

function outputOf(r: PackageResult) {
  return {
    path: r.path,
    name: r.name,
    version: r.version,
    tag: r.tag,
    'previous-tag': r.previousTag,
    'release-type': r.releaseType,
    released: r.released,
    ...(r.releaseUrl ? { url: r.releaseUrl } : {}),
  };
}

function why(r: PackageResult): string {
  if (r.existing) return 'already released at this commit';
  if (!r.released) return 'no commit since the last release calls for one';
  const deps = r.dependencies.map((d) => `${d.name} ${d.version}`).join(', ');
  return deps ? `dependencies: ${deps}` : 'its commits';
}
