#!/usr/bin/env node
// Extracts the release history of packages of a monorepo (or of one project) from a local git
// repository into a JSON fixture for the release replay test. For every stable tag of a
// package (any of its tag prefixes, old formats included): the release it was counted from
// (the highest earlier stable tag of the package that is its ancestor), the commits in between
// that touch the package's folder (sha, parent count, message, oldest first), the workspace
// packages its package.json names at the tag, and the other packages tagged at the same
// commit. Only commit metadata and package names are taken, no code.
// Usage: node scripts/extract-package-history.mjs <git-dir> <source-note> <path>=<prefix>[|<prefix>...] ...
import { execFileSync } from 'node:child_process';

const [dir, source, ...specs] = process.argv.slice(2);
if (!dir || !specs.length) {
  console.error('usage: extract-package-history.mjs <git-dir> <source-note> <path>=<prefix>[|<prefix>...] ...');
  process.exit(2);
}
const git = (...args) =>
  execFileSync('git', ['--git-dir', dir, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return undefined;
  }
};
const STABLE = /^(\d+)\.(\d+)\.(\d+)$/;
const packages = specs.map((spec) => {
  const [path, prefixes] = spec.split('=');
  return { path: path === '.' ? '' : path, prefixes: prefixes.split('|') };
});
const tagsOf = (pkg) =>
  pkg.prefixes
    .flatMap((prefix) =>
      git('tag', '--list', `${prefix}*`)
        .split('\n')
        .filter((t) => t.startsWith(prefix) && STABLE.test(t.slice(prefix.length)))
        .map((name) => ({ name, v: name.slice(prefix.length).split('.').map(Number) })),
    )
    .map((t) => ({ ...t, sha: git('rev-parse', `${t.name}^{commit}`).trim() }))
    .sort((a, b) => a.v[0] - b.v[0] || a.v[1] - b.v[1] || a.v[2] - b.v[2]);
const isAncestor = (a, b) => tryGit('merge-base', '--is-ancestor', a, b) !== undefined;
const nameAt = (sha, path) => {
  const json = tryGit('show', `${sha}:${path ? `${path}/` : ''}package.json`);
  try {
    return json ? JSON.parse(json) : undefined;
  } catch {
    return undefined;
  }
};
const all = packages.map((pkg) => ({ ...pkg, tags: tagsOf(pkg) }));
const shaTags = new Map();
for (const p of all)
  for (const t of p.tags) shaTags.set(t.sha, [...(shaTags.get(t.sha) ?? []), { path: p.path, tag: t.name }]);
const out = [];
for (const pkg of all) {
  const releases = [];
  for (let i = 1; i < pkg.tags.length; i++) {
    const tag = pkg.tags[i];
    const previous = pkg.tags
      .slice(0, i)
      .reverse()
      .find((t) => t.sha !== tag.sha && isAncestor(t.sha, tag.sha));
    if (!previous) continue;
    // No pathspec for the whole repository: `-- .` would drop empty commits, and a Release-As
    // footer usually rides on one (git commit --allow-empty).
    const range = [`${previous.sha}..${tag.sha}`, ...(pkg.path ? ['--', pkg.path] : [])];
    const log = git('log', '--reverse', '--format=%H%x1f%P%x1f%B%x1e', ...range);
    const commits = log
      .split('\x1e')
      .map((r) => r.replace(/^\n/, ''))
      .filter((r) => r.includes('\x1f'))
      .map((r) => {
        const [sha, parents, message] = r.split('\x1f');
        return { sha, parents: parents.split(' ').filter(Boolean).length, message: message.trimEnd().slice(0, 4000) };
      });
    const json = nameAt(tag.sha, pkg.path) ?? {};
    const deps = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((f) =>
      Object.keys(json[f] ?? {}),
    );
    const alsoTagged = (shaTags.get(tag.sha) ?? []).filter((x) => x.path !== pkg.path);
    const workspace = alsoTagged.filter((x) => deps.includes(nameAt(tag.sha, x.path)?.name));
    releases.push({
      tag: tag.name,
      previous: previous.name,
      commits,
      ...(workspace.length ? { dependencyTags: workspace.map((x) => x.tag) } : {}),
    });
  }
  out.push({ path: pkg.path, prefixes: pkg.prefixes, releases });
}
process.stdout.write(JSON.stringify({ source, packages: out }) + '\n');
