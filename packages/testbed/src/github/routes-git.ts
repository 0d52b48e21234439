/** Git data endpoints (refs, annotated tags, commits) backed by the bare "remote" repository. */
import { execFileSync } from 'node:child_process';
import type { EmulatorCore as GitHubEmulator } from './core.js';
import { error, nodeId, validationFailed } from './objects.js';

/** Runs git in the bare remote: its output, or undefined when git fails. */
function gitIn(remote: string, args: string[], input?: string): string | undefined {
  try {
    return execFileSync('git', ['--git-dir', remote, ...args], {
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function registerGitRoutes(gh: GitHubEmulator): void {
  const R = '/repos/{owner}/{repo}';
  const refObject = (ref: string) => {
    const sha = gitIn(gh.remote, ['rev-parse', '--verify', '-q', ref]);
    if (!sha) return undefined;
    const type = gitIn(gh.remote, ['cat-file', '-t', sha]) ?? 'commit';
    const kind = type === 'tag' ? 'tags' : 'commits';
    return {
      ref,
      node_id: nodeId('Ref', ref),
      url: `${gh.repoUrl}/git/${ref}`,
      object: { type, sha, url: `${gh.repoUrl}/git/${kind}/${sha}` },
    };
  };

  gh.repoRoute('GET', `${R}/git/ref/{ref}`, (req) => {
    const ref = refObject(`refs/${req.params.ref}`);
    return ref ? { status: 200, body: ref } : error(404, 'Not Found');
  });

  gh.repoRoute('GET', `${R}/git/matching-refs/{ref}`, (req) => {
    const prefix = `refs/${req.params.ref}`;
    const names = (gitIn(gh.remote, ['for-each-ref', '--format=%(refname)', 'refs/']) ?? '')
      .split('\n')
      .filter((n) => n && n.startsWith(prefix));
    return { status: 200, body: names.sort().map((n) => refObject(n)) };
  });

  gh.repoRoute('POST', `${R}/git/refs`, (req) => {
    const { ref, sha } = req.json() as { ref?: string; sha?: string };
    if (!ref || !sha || !/^refs\/.+\/.+/.test(ref))
      return validationFailed('Reference name must start with refs/ and have at least two slashes.');
    if (!gitOk(gh.remote, ['cat-file', '-e', sha])) return validationFailed('Object does not exist');
    // The empty old value makes git refuse when the ref exists: an atomic create.
    if (!gitOk(gh.remote, ['update-ref', ref, sha, ''])) return validationFailed('Reference already exists');
    return { status: 201, body: refObject(ref), headers: { location: `${gh.repoUrl}/git/${ref}` } };
  });

  gh.repoRoute('PATCH', `${R}/git/refs/{ref}`, (req) => {
    const ref = `refs/${req.params.ref}`;
    const { sha, force = false } = req.json() as { sha?: string; force?: boolean };
    const old = gitIn(gh.remote, ['rev-parse', '--verify', '-q', ref]);
    if (!old) return validationFailed('Reference does not exist');
    if (!sha || !gitOk(gh.remote, ['cat-file', '-e', sha])) return validationFailed('Object does not exist');
    if (!force && !gitOk(gh.remote, ['merge-base', '--is-ancestor', old, sha])) {
      return validationFailed('Update is not a fast forward');
    }
    if (!gitOk(gh.remote, ['update-ref', ref, sha, old])) return validationFailed('Reference update failed');
    return { status: 200, body: refObject(ref) };
  });

  gh.repoRoute('DELETE', `${R}/git/refs/{ref}`, (req) => {
    const ref = `refs/${req.params.ref}`;
    if (!gitIn(gh.remote, ['rev-parse', '--verify', '-q', ref])) return validationFailed('Reference does not exist');
    gitIn(gh.remote, ['update-ref', '-d', ref]);
    return { status: 204 };
  });

  const tagObject = (sha: string) => {
    const text = gitIn(gh.remote, ['cat-file', 'tag', sha]);
    if (!text) return undefined;
    const [head = '', ...rest] = text.split('\n\n');
    const field = (name: string) => new RegExp(`^${name} (.*)$`, 'm').exec(head)?.[1] ?? '';
    const tagger = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(field('tagger'));
    const objectType = field('type');
    return {
      node_id: nodeId('Tag', sha),
      tag: field('tag'),
      sha,
      url: `${gh.repoUrl}/git/tags/${sha}`,
      message: `${rest.join('\n\n')}\n`,
      tagger: {
        name: tagger?.[1] ?? '',
        email: tagger?.[2] ?? '',
        date: new Date(Number(tagger?.[3] ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      object: { sha: field('object'), type: objectType, url: `${gh.repoUrl}/git/${objectType}s/${field('object')}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    };
  };

  gh.repoRoute('POST', `${R}/git/tags`, (req) => {
    const b = req.json() as {
      tag?: string;
      message?: string;
      object?: string;
      type?: string;
      tagger?: { name?: string; email?: string; date?: string };
    };
    if (!b.tag || b.message === undefined || !b.object || !b.type)
      return validationFailed('Invalid request: tag, message, object and type are required.');
    const actual = gitIn(gh.remote, ['cat-file', '-t', b.object]);
    if (!actual) return validationFailed('Object does not exist');
    if (actual !== b.type) return validationFailed(`Object type is ${actual}, not ${b.type}`);
    const when = Math.floor((b.tagger?.date ? Date.parse(b.tagger.date) : Date.now()) / 1000);
    const who = `${b.tagger?.name ?? 'github-actions[bot]'} <${b.tagger?.email ?? '41898282+github-actions[bot]@users.noreply.github.com'}>`;
    const text = `object ${b.object}\ntype ${b.type}\ntag ${b.tag}\ntagger ${who} ${when} +0000\n\n${b.message.endsWith('\n') ? b.message : `${b.message}\n`}`;
    const sha = gitIn(gh.remote, ['mktag'], text);
    if (!sha) return validationFailed('Invalid tag');
    return { status: 201, body: tagObject(sha), headers: { location: `${gh.repoUrl}/git/tags/${sha}` } };
  });

  gh.repoRoute('GET', `${R}/git/tags/{tag_sha}`, (req) => {
    const tag = tagObject(req.params.tag_sha as string);
    return tag ? { status: 200, body: tag } : error(404, 'Not Found');
  });
}

/** True when the git command succeeds. */
function gitOk(remote: string, args: string[]): boolean {
  return gitIn(remote, args) !== undefined;
}

export { gitIn, gitOk };
