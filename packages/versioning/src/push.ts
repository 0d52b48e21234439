/**
 * Writes release tags with git: an annotated release tag plus the floating tags (v1, v1.3),
 * pushed in one atomic push. A push rejected because the tag exists is resolved by reading
 * the remote tag: same commit -> carry on; another commit -> a clear error.
 */
import { ActionError, execFile } from '@rollgate/kit';
import { git } from './history.js';

export const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export interface PushOptions {
  cwd: string;
  tag: string;
  sha: string;
  message: string;
  floating: string[];
  /** Token for an https remote when the checkout did not persist credentials. */
  token?: string;
  remote?: string;
}

/** Env that makes git send the token to the remote's host without putting it on a command line. */
async function authEnv(cwd: string, remote: string, token: string | undefined): Promise<Record<string, string>> {
  if (!token) return {};
  const url = await git(cwd, ['remote', 'get-url', remote], true);
  const m = /^(https?:\/\/[^/]+\/)/.exec(url);
  if (!m) return {};
  const key = `http.${m[1]}.extraheader`;
  if (await git(cwd, ['config', '--get-all', key], true)) return {}; // actions/checkout persisted credentials
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: key, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` };
}

export async function pushTags(options: PushOptions): Promise<{ existed: boolean }> {
  const { cwd, tag, sha, floating } = options;
  const remote = options.remote ?? 'origin';
  const env = await authEnv(cwd, remote, options.token);
  const local = await git(cwd, ['rev-parse', '--verify', '-q', `refs/tags/${tag}^{commit}`], true);
  if (local && local !== sha) throw new ActionError(`Tag ${tag} already exists locally at ${local}, not at ${sha}.`);
  if (!local) {
    await git(cwd, [
      '-c',
      `user.name=${BOT.name}`,
      '-c',
      `user.email=${BOT.email}`,
      'tag',
      '-a',
      tag,
      sha,
      '-m',
      options.message,
      '--cleanup=verbatim',
    ]);
  }
  const refspecs = [`refs/tags/${tag}:refs/tags/${tag}`, ...floating.map((f) => `+${sha}:refs/tags/${f}`)];
  const push = await execFile('git', ['push', '--atomic', '--porcelain', remote, ...refspecs], {
    cwd,
    env,
    echo: false,
  });
  if (push.exitCode === 0) return { existed: false };
  const output = `${push.stdout}\n${push.stderr}`;
  if (!new RegExp(`refs/tags/${escape(tag)}\\t\\[rejected\\] \\(already exists\\)`).test(output)) {
    throw new ActionError(`Pushing tag ${tag} failed: ${lastLine(push.stderr || push.stdout)}`);
  }
  // Someone else pushed the tag: is it this commit?
  await git(cwd, ['tag', '-d', tag]);
  const fetched = await execFile(
    'git',
    ['fetch', '--quiet', '--no-tags', remote, `+refs/tags/${tag}:refs/tags/${tag}`],
    { cwd, env, echo: false },
  );
  if (fetched.exitCode !== 0)
    throw new ActionError(`Tag ${tag} exists on the remote but could not be fetched: ${lastLine(fetched.stderr)}`);
  const theirs = await git(cwd, ['rev-parse', `refs/tags/${tag}^{commit}`]);
  if (theirs !== sha) {
    throw new ActionError(
      `Tag ${tag} already exists on the remote at ${theirs.slice(0, 7)}, not at this commit ${sha.slice(0, 7)}: another run released ${tag} from a different commit. Re-run on the latest commit.`,
    );
  }
  if (floating.length) {
    const again = await execFile('git', ['push', '--atomic', '--porcelain', remote, ...refspecs.slice(1)], {
      cwd,
      env,
      echo: false,
    });
    if (again.exitCode !== 0)
      throw new ActionError(`Moving floating tags ${floating.join(', ')} failed: ${lastLine(again.stderr)}`);
  }
  return { existed: true };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
