/**
 * Local equivalents of the remote actions the suite's workflows use, so a workflow runs here
 * as on GitHub: checkout clones the emulated repository, setup-node keeps the node on PATH,
 * download-artifact and upload-artifact go through the real @actions/artifact client against
 * the artifact service emulator. Any other remote action is refused with a clear message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { git } from '../git.js';
import { REPO_ROOT } from '../harness.js';

export interface RemoteContext {
  workspace: string;
  remote: string;
  sha: string;
  env: Record<string, string>;
  log: (line: string) => void;
}

export const SUPPORTED_REMOTE = [
  'actions/checkout',
  'actions/setup-node',
  'actions/download-artifact',
  'actions/upload-artifact',
];

/**
 * Runs a child asynchronously: the emulators it talks to live in this process. Past
 * `timeoutMs` the child is killed (`timedOut`); what it left running in the background no
 * longer holds up the result (its output pipes are let go once the child has exited).
 */
export function spawnAsync(
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ status: number; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const { timeoutMs, ...spawnOptions } = options;
    const child = spawn(cmd, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs);
    child.on('exit', () => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stdout, stderr, timedOut });
    });
  });
}

async function artifactScript(ctx: RemoteContext, code: string, args: string[]): Promise<void> {
  const r = await spawnAsync(process.execPath, ['--input-type=module', '-e', code, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...ctx.env },
  });
  if (r.status !== 0) throw new Error(`${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  for (const line of r.stdout.trim().split('\n')) if (line) ctx.log(line);
}

export async function runRemoteAction(
  name: string,
  w: Record<string, string>,
  ctx: RemoteContext,
): Promise<Record<string, string>> {
  if (name === 'actions/checkout') {
    const depth = Number(w['fetch-depth'] ?? '1');
    git(ctx.workspace, ['init', '-q']);
    git(ctx.workspace, ['remote', 'add', 'origin', `file://${ctx.remote}`]);
    const args = ['fetch', '-q', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*'];
    if (depth > 0) args.splice(2, 0, `--depth=${depth}`);
    else args.push('+refs/tags/*:refs/tags/*');
    git(ctx.workspace, args);
    // actions/checkout fetches the run's commit itself (`git fetch --depth=1 origin +<sha>:...`), so
    // a run still checks out its commit after newer pushes moved the branch past it.
    const present = spawnSync('git', ['cat-file', '-e', `${ctx.sha}^{commit}`], { cwd: ctx.workspace }).status === 0;
    if (!present) git(ctx.workspace, ['fetch', '-q', '--no-tags', `--depth=${Math.max(depth, 1)}`, 'origin', ctx.sha]);
    git(ctx.workspace, ['checkout', '-q', '--detach', ctx.sha]);
    ctx.log(`checkout: ${ctx.sha.slice(0, 7)} (fetch-depth ${depth})`);
    return {};
  }
  if (name === 'actions/setup-node') {
    ctx.log(`setup-node: using ${process.version} already on PATH`);
    return {};
  }
  if (name === 'actions/download-artifact') {
    const path = resolve(ctx.workspace, w.path ?? '.');
    await artifactScript(
      ctx,
      `import { DefaultArtifactClient } from '@actions/artifact';
const c = new DefaultArtifactClient();
const { artifact } = await c.getArtifact(process.argv[1]);
await c.downloadArtifact(artifact.id, { path: process.argv[2] });
console.log('download-artifact: ' + artifact.name + ' -> ' + process.argv[2]);`,
      [w.name ?? '', path],
    );
    return { 'download-path': path };
  }
  if (name === 'actions/upload-artifact') {
    const files = (w.path ?? '')
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => join(ctx.workspace, p));
    await artifactScript(
      ctx,
      `import { DefaultArtifactClient } from '@actions/artifact';
const [name, root, ...files] = process.argv.slice(1);
const r = await new DefaultArtifactClient().uploadArtifact(name, files, root);
console.log('upload-artifact: ' + name + ' id ' + r.id);`,
      [w.name ?? 'artifact', ctx.workspace, ...files],
    );
    return {};
  }
  throw new Error(
    `remote action ${name} has no local equivalent in the workflow runner (supported: ${SUPPORTED_REMOTE.join(', ')})`,
  );
}
