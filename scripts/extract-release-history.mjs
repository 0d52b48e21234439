#!/usr/bin/env node
// Extracts a release history from a local git repository into a JSON fixture for the
// release replay test: for every stable release tag, the release it was counted from (the
// highest earlier stable tag that is its ancestor) and the commits in between (sha, parent
// count, full message), oldest first. Only commit metadata is taken, no code.
// Usage: node scripts/extract-release-history.mjs <git-dir> <tag-prefix> <source-note> > out.json
import { execFileSync } from 'node:child_process';

const [dir, prefix = 'v', source = ''] = process.argv.slice(2);
if (!dir) {
  console.error('usage: extract-release-history.mjs <git-dir> <tag-prefix> <source-note>');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const STABLE = /^(\d+)\.(\d+)\.(\d+)$/;
const tags = git('tag', '--list', `${prefix}*`)
  .split('\n')
  .filter((t) => STABLE.test(t.slice(prefix.length)))
  .map((name) => ({
    name,
    v: name.slice(prefix.length).split('.').map(Number),
    sha: git('rev-parse', `${name}^{commit}`).trim(),
  }))
  .sort((a, b) => a.v[0] - b.v[0] || a.v[1] - b.v[1] || a.v[2] - b.v[2]);
const isAncestor = (a, b) => {
  try {
    execFileSync('git', ['--git-dir', dir, 'merge-base', '--is-ancestor', a, b]);
    return true;
  } catch {
    return false;
  }
};
const releases = [];
for (let i = 1; i < tags.length; i++) {
  const tag = tags[i];
  const previous = tags
    .slice(0, i)
    .reverse()
    .find((t) => t.sha !== tag.sha && isAncestor(t.sha, tag.sha));
  if (!previous) continue;
  const out = git('log', '--reverse', '--format=%H%x1f%P%x1f%B%x1e', `${previous.sha}..${tag.sha}`);
  const commits = out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\x1f'))
    .map((r) => {
      const [sha, parents, message] = r.split('\x1f');
      return { sha, parents: parents.split(' ').filter(Boolean).length, message: message.trimEnd() };
    });
  releases.push({ tag: tag.name, previous: previous.name, commits });
}
process.stdout.write(JSON.stringify({ source, releases }, null, 1) + '\n');
