/**
 * What git knows about releases: tags with a prefix, the highest one reachable from HEAD,
 * the commits since it (optionally under a path), and deepening a shallow clone just enough.
 * Every call is `git` with an argument array; the cost grows with unreleased commits.
 */
import { ActionError, execFile } from '@rollgate/kit';
import type { Commit } from './commits.js';
import { byVersionDesc, type ReleaseTag } from './plan.js';
import { isStable, parseSemVer } from './semver.js';

export interface TagScan {
  tags: ReleaseTag[];
  /** Tags with the prefix that are not versions (reported as a notice). */
  ignored: string[];
}

export async function git(cwd: string, args: string[], allowFailure = false): Promise<string> {
  const r = await execFile('git', args, { cwd, echo: false });
  if (r.exitCode !== 0 && !allowFailure) {
    throw new ActionError(`git ${args[0]} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  }
  return r.exitCode === 0 ? r.stdout.trimEnd() : '';
}

const LOOKS_LIKE_VERSION = /^\d+\.\d+\.\d+/;
const FLOATING = /^\d+(\.\d+)?$/;

/** Every tag named `<prefix><semver>`. A tag that starts like a version but is not valid semver is an error. */
export async function scanTags(cwd: string, prefix: string): Promise<TagScan> {
  // for-each-ref matches a literal pattern only up to a slash: glob the prefix.
  const pattern = prefix ? `refs/tags/${prefix}*` : 'refs/tags/';
  const out = await git(cwd, [
    'for-each-ref',
    '--format=%(refname:lstrip=2)%00%(objectname)%00%(*objectname)',
    pattern,
  ]);
  const tags: ReleaseTag[] = [];
  const ignored: string[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [name = '', object = '', peeled = ''] = line.split('\0');
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const version = parseSemVer(rest);
    if (version) tags.push({ name, version, sha: peeled || object });
    else if (LOOKS_LIKE_VERSION.test(rest)) {
      throw new ActionError(
        `Tag '${name}' is not a valid semantic version (after the prefix '${prefix}'): rename or delete it, or set tag-prefix so it does not match.`,
      );
    } else if (!FLOATING.test(rest)) ignored.push(name);
  }
  tags.sort(byVersionDesc);
  return { tags, ignored };
}

/** Every tag named `<one of the prefixes><semver>`, highest first, each name once. */
export async function scanTagsOf(cwd: string, prefixes: string[]): Promise<TagScan> {
  const scans = await Promise.all([...new Set(prefixes)].map((p) => scanTags(cwd, p)));
  const byName = new Map(scans.flatMap((s) => s.tags).map((t) => [t.name, t]));
  const tags = [...byName.values()].sort(byVersionDesc);
  const ignored = [...new Set(scans.flatMap((s) => s.ignored))].filter((n) => !byName.has(n));
  return { tags, ignored };
}

/** Tags of the form `<other prefix><semver>`, highest first, when none has one of the given prefixes. */
export async function semverTagsOutside(cwd: string, prefixes: string[]): Promise<string[]> {
  const out = await git(cwd, ['tag', '--list', '--sort=-v:refname']);
  return out.split('\n').filter((name) => {
    const at = name.search(/\d+\.\d+\.\d+/);
    return (
      at >= 0 &&
      !prefixes.includes(name.slice(0, at)) &&
      parseSemVer(name.slice(at)) !== undefined &&
      /^[@A-Za-z0-9._/-]*$/.test(name.slice(0, at))
    );
  });
}

/** Whether a path (file or folder, relative to the repository root) exists in HEAD's tree. */
export async function pathExists(cwd: string, path: string): Promise<boolean> {
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean === '.') return true;
  if (/[*?[]/.test(clean)) return (await git(cwd, ['ls-files', '--', clean], true)) !== '';
  const r = await execFile('git', ['cat-file', '-e', `HEAD:${clean}`], { cwd, echo: false });
  return r.exitCode === 0;
}

export async function isAncestor(cwd: string, ancestor: string, of = 'HEAD'): Promise<boolean> {
  const r = await execFile('git', ['merge-base', '--is-ancestor', ancestor, of], { cwd, echo: false });
  return r.exitCode === 0;
}

/** The highest tag (stable only, or any) whose commit is reachable from HEAD. */
export async function highestReachable(
  cwd: string,
  tags: ReleaseTag[],
  stableOnly: boolean,
): Promise<ReleaseTag | undefined> {
  const checked = new Map<string, boolean>();
  for (const t of tags) {
    if (stableOnly && !isStable(t.version)) continue;
    let reachable = checked.get(t.sha);
    if (reachable === undefined) {
      reachable = await isAncestor(cwd, t.sha);
      checked.set(t.sha, reachable);
    }
    if (reachable) return t;
  }
  return undefined;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/** Commits in `since..HEAD` (all of HEAD's history when since is undefined), oldest first. */
export async function commitsSince(cwd: string, since: string | undefined, path: string): Promise<Commit[]> {
  const args = ['log', '--reverse', `--format=%H${FIELD}%P${FIELD}%B${RECORD}`, since ? `${since}..HEAD` : 'HEAD'];
  if (path) args.push('--', path);
  const out = await git(cwd, args);
  return out
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes(FIELD))
    .map((r) => {
      const [sha = '', parents = '', message = ''] = r.split(FIELD);
      return { sha, parents: parents.split(' ').filter(Boolean).length, message };
    });
}

export async function headSha(cwd: string): Promise<string> {
  return git(cwd, ['rev-parse', 'HEAD']);
}

export async function isShallow(cwd: string): Promise<boolean> {
  return (await git(cwd, ['rev-parse', '--is-shallow-repository'])) === 'true';
}

/**
 * Makes a shallow clone deep enough: fetches the release tags, then the history of HEAD
 * down to (not past) the highest release tag, then connects it. Falls back to the full
 * history when the highest tag is not on this branch. Throws with the fetch-depth hint
 * when the remote cannot be reached.
 */
export async function deepen(cwd: string, prefixes: string[]): Promise<void> {
  const hint = 'The repository is a shallow clone and could not be deepened: set `fetch-depth: 0` on actions/checkout.';
  const fetch = async (args: string[]) => {
    const r = await execFile('git', ['fetch', '--quiet', ...args], { cwd, echo: false });
    if (r.exitCode !== 0) throw new ActionError(`${hint} (git fetch: ${r.stderr.trim().split('\n').at(-1) ?? ''})`);
  };
  await fetch(['--depth=1', 'origin', ...prefixes.map((p) => `+refs/tags/${p}*:refs/tags/${p}*`)]);
  const { tags } = await scanTagsOf(cwd, prefixes);
  const head = await headSha(cwd);
  for (const tag of tags.filter((t) => isStable(t.version)).slice(0, 1)) {
    if (tag.sha === head) return;
    await fetch([`--shallow-exclude=${tag.name}`, 'origin', head]);
    await fetch(['--deepen=1', 'origin', head]);
    if (await isAncestor(cwd, tag.sha)) return;
  }
  if (await isShallow(cwd)) await fetch(['--unshallow', 'origin', head]);
}
