/** Dependency order for a manifest's packages: every package after the packages it depends on. */
import { ManifestError, type ManifestPackage } from './read.js';

/** Kahn's order, keeping the manifest's order among packages that are free; a cycle is an error naming it. */
export function dependencyOrder(packages: ManifestPackage[]): ManifestPackage[] {
  const done = new Set<string>();
  const ordered: ManifestPackage[] = [];
  while (ordered.length < packages.length) {
    const next = packages.find((p) => !done.has(p.path) && p.dependsOn.every((d) => done.has(d)));
    if (!next)
      throw new ManifestError(`The packages depend on each other in a cycle: ${cycle(packages, done).join(' -> ')}`);
    done.add(next.path);
    ordered.push(next);
  }
  return ordered;
}

/** One cycle among the packages not yet ordered, as paths, first one repeated at the end. */
function cycle(packages: ManifestPackage[], done: Set<string>): string[] {
  const byPath = new Map(packages.map((p) => [p.path, p]));
  const start = packages.find((p) => !done.has(p.path)) as ManifestPackage;
  const path: string[] = [];
  let at: ManifestPackage | undefined = start;
  while (at && !path.includes(at.path)) {
    path.push(at.path);
    at = byPath.get(at.dependsOn.find((d) => !done.has(d)) as string);
  }
  return at ? [...path.slice(path.indexOf(at.path)), at.path] : path;
}
