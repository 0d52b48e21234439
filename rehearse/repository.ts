/**
 * The rehearsal's copy of the user's repository, pushed to the emulator's remote as `main`:
 * - a git work tree: its HEAD's history (no tags: the emulator holds no releases of them, so
 *   the rehearsal starts before the first release), then the working tree's uncommitted
 *   changes as one commit, so what is rehearsed is what is on disk;
 * - any other folder: its files as one commit;
 * then the files the plan adds, and `uses: rollgate/rollgate/...@<ref>` pinned at the suite's
 * snapshot (each its own `chore(rehearse):` commit, which releases nothing).
 * The user's repository is only read.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '@rollgate/testbed';

const SKIPPED = new Set(['.git', 'node_modules']);

function topOf(dir: string): string | undefined {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** What git reports as changed, new (not ignored) and deleted in the work tree. */
function uncommitted(source: string): { changed: string[]; deleted: string[] } {
  const list = (args: string[]) =>
    git(source, ['ls-files', '-z', ...args])
      .split('\0')
      .filter(Boolean);
  const deleted = list(['-d']);
  const changed = [...new Set([...list(['-m']), ...list(['-o', '--exclude-standard'])])].filter(
    (f) => !deleted.includes(f),
  );
  return { changed, deleted };
}

function commitAll(work: string, message: string): boolean {
  git(work, ['add', '-A']);
  if (!git(work, ['status', '--porcelain'])) return false;
  git(work, [
    '-c',
    'user.name=rollgate rehearse',
    '-c',
    'user.email=rehearse@localhost',
    'commit',
    '-q',
    '-m',
    message,
  ]);
  return true;
}

/** The user's repository as a work tree of its own (a clone, or the folder's files as a first commit). */
function copyOf(source: string, log: (line: string) => void): string {
  const work = mkdtempSync(join(tmpdir(), 'rehearsal-'));
  const top = topOf(source);
  const born =
    spawnSync('git', ['-C', source, 'rev-parse', '--verify', '-q', 'HEAD'], { encoding: 'utf8' }).status === 0;
  if (top && born && realpathSync(top) === realpathSync(source)) {
    const head = git(source, ['rev-parse', 'HEAD']);
    git(work, ['clone', '-q', '--no-tags', '--no-checkout', source, '.']);
    git(work, ['checkout', '-q', '-B', 'main', head]);
    const { changed, deleted } = uncommitted(source);
    for (const f of changed) {
      mkdirSync(dirname(join(work, f)), { recursive: true });
      cpSync(join(source, f), join(work, f));
    }
    for (const f of deleted) rmSync(join(work, f), { force: true });
    const n = changed.length + deleted.length;
    if (commitAll(work, "chore(rehearse): the working tree's uncommitted changes"))
      log(`${source}: HEAD ${head.slice(0, 12)} and ${n} uncommitted change(s)`);
    else log(`${source}: HEAD ${head.slice(0, 12)}`);
    git(work, ['remote', 'remove', 'origin']);
    return work;
  }
  for (const entry of readdirSync(source))
    if (!SKIPPED.has(entry)) cpSync(join(source, entry), join(work, entry), { recursive: true });
  git(work, ['init', '-q', '-b', 'main']);
  commitAll(work, `chore: ${source} as the rehearsal found it`);
  log(`${source}: not the top of a git work tree with a commit; its files are the first commit`);
  return work;
}

/** Rewrites every `uses: rollgate/rollgate/...@<ref>` to `sha`; how many it rewrote. */
export function pinSuiteUses(workflows: string, sha: string): number {
  if (!existsSync(workflows)) return 0;
  let n = 0;
  for (const f of readdirSync(workflows).filter((x) => /\.ya?ml$/.test(x))) {
    const file = join(workflows, f);
    const text = readFileSync(file, 'utf8');
    const pinned = text.replace(/(uses:\s*['"]?rollgate\/rollgate\/[^@\s'"]+@)[^\s'"#]+/g, (_, head: string) => {
      n++;
      return `${head}${sha}`;
    });
    if (pinned !== text) writeFileSync(file, pinned);
  }
  return n;
}

/**
 * The rehearsal's repository in `remote`: the user's (see above), the plan's `files` (path in
 * the repository -> a file to copy) and the suite pinned at `sha`. Returns its work tree.
 */
export function rehearsalRepository(
  source: string,
  remote: string,
  o: { sha: string; files: Record<string, string>; log: (line: string) => void },
): string {
  if (!existsSync(source)) throw new Error(`repository: ${source} does not exist`);
  const work = copyOf(source, o.log);
  for (const [path, from] of Object.entries(o.files)) {
    if (!existsSync(from)) throw new Error(`files.${path}: ${from} does not exist`);
    mkdirSync(dirname(join(work, path)), { recursive: true });
    cpSync(from, join(work, path), { recursive: true });
  }
  if (commitAll(work, 'chore(rehearse): files the plan adds')) o.log(`added ${Object.keys(o.files).join(', ')}`);
  const pins = pinSuiteUses(join(work, '.github', 'workflows'), o.sha);
  commitAll(work, 'chore(rehearse): pin rollgate/rollgate at the snapshot of the suite');
  o.log(
    pins
      ? `${pins} ${pins === 1 ? 'use' : 'uses'} of rollgate/rollgate pinned at the suite's snapshot ${o.sha.slice(0, 12)}`
      : 'no workflow uses rollgate/rollgate/...@ref: nothing pinned',
  );
  git(work, ['remote', 'add', 'origin', remote]);
  git(work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
  return work;
}
