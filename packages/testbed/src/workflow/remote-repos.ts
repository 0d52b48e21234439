/**
 * Other repositories a workflow calls (`owner/repo/.github/workflows/x.yml@ref`,
 * `owner/repo/path@ref` actions), resolved from local bare mirrors the way GitHub resolves them:
 * the ref (tag, branch or full SHA) names a commit, and the workflow and the actions it calls as
 * `$/` come from that commit's tree.
 * https://docs.github.com/en/actions/sharing-automations/reusing-workflows#calling-a-reusable-workflow
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const trees = new Map<string, string>();

function git(args: string[], cwd?: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The tree of `ref` in the bare mirror, extracted once into a folder; its path and commit. */
export function checkoutRef(mirror: string, ref: string): { dir: string; sha: string } {
  const sha = git(['--git-dir', mirror, 'rev-parse', '--verify', '-q', `${ref}^{commit}`]);
  let dir = trees.get(sha);
  if (!dir || !existsSync(dir)) {
    dir = mkdtempSync(join(tmpdir(), `repo-${sha.slice(0, 12)}-`));
    const archive = spawnSync('git', ['--git-dir', mirror, 'archive', '--format=tar', sha], { maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${sha}: ${archive.stderr.toString()}`);
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString()}`);
    trees.set(sha, dir);
  }
  return { dir, sha };
}

/**
 * A bare mirror holding one commit with `paths` of `root` as they are on disk now (the suite's
 * workflows, actions and bundles, for a consumer to pin): its path and the commit's SHA.
 */
export function snapshotRepository(
  root: string,
  paths: string[],
  message = 'snapshot',
): { mirror: string; sha: string } {
  const work = mkdtempSync(join(tmpdir(), 'snapshot-'));
  for (const p of paths) {
    mkdirSync(join(work, p, '..'), { recursive: true });
    cpSync(join(root, p), join(work, p), { recursive: true });
  }
  git(['init', '-q', '-b', 'main'], work);
  git(['add', '-A'], work);
  git(['-c', 'user.name=snapshot', '-c', 'user.email=snapshot@example.com', 'commit', '-q', '-m', message], work);
  const mirror = `${work}.git`;
  git(['clone', '-q', '--bare', work, mirror]);
  return { mirror, sha: git(['rev-parse', 'HEAD'], work) };
}
