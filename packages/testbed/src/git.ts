/** Real git repositories for tests: a bare "remote" and workspace clones, like actions/checkout makes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
};

export function git(
  cwd: string,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): string {
  return execFileSync('git', args, {
    cwd,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, ...GIT_IDENTITY, GIT_CONFIG_NOSYSTEM: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  }).trimEnd();
}

/** A bare repository standing for the GitHub-side repository. */
export function createRemote(): string {
  const dir = mkdtempSync(join(tmpdir(), 'remote-'));
  git(dir, ['init', '-q', '--bare', '-b', 'main']);
  return dir;
}

/** A working clone of the remote with full history (fetch-depth: 0), or `depth` commits. */
export function cloneWorkspace(remote: string, options: { depth?: number; branch?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'));
  const args = ['clone', '-q'];
  if (options.depth) args.push('--depth', String(options.depth), '--no-tags');
  if (options.branch) args.push('-b', options.branch);
  git(dir, [...args, `file://${remote}`, '.']);
  return dir;
}

/** A new work tree with its first commit, pushed to `remote` (main). */
export function seedRepository(remote: string, message = 'chore: initial commit'): string {
  const dir = mkdtempSync(join(tmpdir(), 'seed-'));
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['remote', 'add', 'origin', remote]);
  commit(dir, message);
  git(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

let counter = 0;
/** Commits a change (a file per call unless `files` is given) and returns the new sha. */
export function commit(dir: string, message: string, files?: Record<string, string>): string {
  const changes = files ?? { [`changes/${++counter}-${process.pid}.txt`]: `${message}\n` };
  for (const [path, content] of Object.entries(changes)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

/**
 * `count` commits on top of main in one `git fast-import` (a thousand in well under a second),
 * each tagged `tag(i)` when it gives a name; returns their shas, oldest first.
 */
export function linearHistory(remote: string, count: number, tag?: (i: number) => string | undefined): string[] {
  const parent = git(remote, ['rev-parse', '--verify', '-q', 'refs/heads/main']);
  let stream = '';
  for (let i = 0; i < count; i += 1) {
    const message = `chore: change ${i}\n`;
    stream += `commit refs/heads/main\nmark :${i + 1}\ncommitter Test Author <author@example.com> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(message)}\n${message}`;
    if (i === 0 && parent) stream += `from ${parent}\n`;
    stream += `M 644 inline changes/${i}.txt\ndata ${String(i).length + 1}\n${i}\n\n`;
  }
  for (let i = 0; i < count; i += 1) {
    const name = tag?.(i);
    if (name) stream += `reset refs/tags/${name}\nfrom :${i + 1}\n\n`;
  }
  git(remote, ['fast-import', '--quiet'], { input: stream });
  return git(remote, ['rev-list', '--reverse', `-${count}`, 'refs/heads/main']).split('\n');
}
