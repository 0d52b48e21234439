/**
 * The build job: run the install and build commands (argument arrays, no shell), gather the
 * output files, write the reproducible archive and its manifest. Uploading is the action's
 * job (it needs the runner's artifact service).
 */
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ActionError, execChecked, execFile } from '@rollgate/kit';
import { writeArchive } from './archive.js';
import { makeManifest, type BuildManifest } from './manifest.js';

export interface BuildConfig {
  workspace: string;
  workingDirectory: string;
  command: string[];
  installCommand: string[];
  /** Already-resolved output files (absolute). */
  outputs: string[];
  name: string;
  version: string;
  outDir: string;
  /** The runner's OS and architecture (RUNNER_OS/RUNNER_ARCH), recorded in the manifest. */
  runner?: string;
  env: {
    repository: string;
    sha: string;
    ref: string;
    runId: string;
    attempt: string;
    runNumber: string;
    workflow: string;
  };
}

export interface BuildResult {
  archive: string;
  manifestPath: string;
  manifest: BuildManifest;
  digest: string;
}

export async function runCommand(what: string, argv: string[], cwd: string): Promise<void> {
  const [program, ...args] = argv as [string, ...string[]];
  await execChecked(what, program, args, { cwd });
}

/** `git describe --tags --always`, or the short sha when git cannot tell. */
export async function describeVersion(cwd: string, sha: string): Promise<string> {
  const r = await execFile('git', ['describe', '--tags', '--always'], { cwd, echo: false });
  const v = r.stdout.trim();
  return r.exitCode === 0 && v ? v.replace(/^v(?=\d)/, '') : sha.slice(0, 7);
}

async function toolVersions(runner: string): Promise<Record<string, string>> {
  const git = await execFile('git', ['--version'], { echo: false }).catch(() => undefined);
  return {
    node: process.version,
    ...(git?.exitCode === 0 ? { git: git.stdout.trim().replace(/^git version /, '') } : {}),
    runner,
  };
}

export async function packageBuild(config: BuildConfig): Promise<BuildResult> {
  const base = resolve(config.workspace, config.workingDirectory);
  const files = config.outputs.map((source) => {
    const rel = relative(base, source);
    const path = rel.startsWith('..') ? relative(config.workspace, source) : rel;
    if (path.startsWith('..')) throw new ActionError(`Output ${source} is outside the workspace.`);
    return { source, path: path.split(sep).join('/') };
  });
  // A link among the outputs is archived as what it points to: that must be in the workspace
  // too, or a link to ~/.ssh/id_rsa or a runner credentials file would ship in the artifact.
  const root = await realpath(config.workspace);
  for (const f of files) {
    const real = await realpath(f.source);
    const inside = relative(root, real);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new ActionError(
        `Output ${f.path} resolves to ${real}, outside the workspace: refused (a link among the build outputs must point inside the workspace).`,
      );
    }
  }
  await mkdir(config.outDir, { recursive: true });
  const archive = join(config.outDir, `${config.name}.tar.gz`);
  const written = await writeArchive(files, archive);
  const digest = `sha256:${written.sha256}`;
  const manifest = makeManifest({
    artifact: { name: config.name, archive: `${config.name}.tar.gz`, digest, size: written.size },
    version: config.version,
    repository: config.env.repository,
    commit: config.env.sha,
    ref: config.env.ref,
    run: {
      id: config.env.runId,
      attempt: config.env.attempt,
      number: config.env.runNumber,
      workflow: config.env.workflow,
    },
    built_at: new Date().toISOString(),
    command: config.command,
    tools: await toolVersions(config.runner ?? `${process.platform}/${process.arch}`),
    files: written.files,
  });
  const manifestPath = join(config.outDir, 'build-manifest.json');
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return { archive, manifestPath, manifest, digest };
}
