import { join, resolve } from 'node:path';
import {
  actionsLogger,
  ActionError,
  InputError,
  Inputs,
  readRunnerEnv,
  runAction,
  setOutputs,
  splitArgs,
  table,
  writeSummary,
  type RunnerEnv,
  runner,
} from '@rollgate/kit';
import {
  describeVersion,
  packageBuild,
  planCache,
  restoreDependencies,
  runCommand,
  saveDependencies,
  PACKAGE_MANAGERS,
  type PackageManager,
} from '@rollgate/build';
import { DEFAULTS } from './defaults.js';

const NAME = /^[^"\\:<>|*?\r\n/]+$/;

function readInputs(inputs: Inputs, env: RunnerEnv) {
  const repo = env.repo || 'repo';
  const sha = env.sha;
  const releaseTag = inputs.string('release-tag');
  const command = splitArgs(inputs.string('command', { required: true }));
  if (command.length === 0) throw new InputError('command', 'a command to run (e.g. npm run build)');
  return {
    command,
    installCommand: splitArgs(inputs.string('install-command')),
    workingDirectory: inputs.string('working-directory'),
    cache: inputs.raw('cache') ? inputs.oneOf<PackageManager>('cache', PACKAGE_MANAGERS) : undefined,
    outputs: inputs.list('outputs', { required: true, separator: /\n/ }),
    name: inputs.string('name', {
      default: `${repo}-${sha.slice(0, 7) || 'local'}`,
      pattern: { regex: NAME, description: 'an artifact name without " : < > | * ? \\ / or newlines' },
    }),
    version: inputs.string('version'),
    upload: inputs.boolean('upload'),
    retentionDays: inputs.raw('retention-days') ? inputs.integer('retention-days', { min: 1, max: 90 }) : undefined,
    releaseTag,
    token: releaseTag ? inputs.string('github-token', { required: true }) : '',
  };
}

await runAction(async () => {
  const env = readRunnerEnv();
  const inputs = readInputs(new Inputs((name) => runner.getInput(name), DEFAULTS), env);
  const { workspace } = env;
  const cwd = resolve(workspace, inputs.workingDirectory);

  const plan = inputs.cache ? await planCache(inputs.cache, cwd, env.runnerOs, process.env) : undefined;
  const hit = plan ? await restoreDependencies(plan, actionsLogger) : undefined;
  if (plan) runner.info(hit ? `Dependency cache hit: ${hit}` : `Dependency cache miss: ${plan.key}`);
  if (inputs.installCommand.length) await runCommand('Install', inputs.installCommand, cwd);
  if (plan && inputs.installCommand.length && (await saveDependencies(plan, hit, actionsLogger)))
    runner.info(`Saved dependency cache ${plan.key}`);
  await runCommand('Build', inputs.command, cwd);

  const glob = await import('@actions/glob');
  const patterns = inputs.outputs.map((p) => (p.startsWith('!') ? `!${resolve(cwd, p.slice(1))}` : resolve(cwd, p)));
  const files = (await (await glob.create(patterns.join('\n'), { matchDirectories: false })).glob()).sort();
  if (files.length === 0)
    throw new InputError(
      'outputs',
      'patterns that match at least one file after the build (relative to working-directory)',
      inputs.outputs.join(', '),
    );

  const artifactClient = inputs.upload ? new (await import('@actions/artifact')).DefaultArtifactClient() : undefined;
  if (artifactClient) {
    const existing = await artifactClient.getArtifact(inputs.name).then(
      (r) => r.artifact,
      () => undefined,
    );
    if (existing) {
      throw new ActionError(
        `An artifact named '${inputs.name}' was already uploaded in this run (id ${existing.id}): set the name input to a name unique to this job, e.g. include the matrix values.`,
      );
    }
  }

  const { sha } = env;
  const version = inputs.version || (await describeVersion(cwd, sha));
  const built = await packageBuild({
    workspace,
    workingDirectory: inputs.workingDirectory,
    command: inputs.command,
    installCommand: inputs.installCommand,
    outputs: files,
    name: inputs.name,
    version,
    outDir: join(env.runnerTemp || workspace, 'rollgate-build', inputs.name),
    runner: `${env.runnerOs}/${env.runnerArch}`,
    env: {
      repository: env.repository,
      sha,
      ref: env.ref,
      runId: env.runId,
      attempt: String(env.runAttempt),
      runNumber: env.runNumber,
      workflow: env.workflow,
    },
  });
  runner.info(`Archived ${built.manifest.files.length} file(s): ${built.archive} (${built.digest})`);

  let artifactId: number | undefined;
  if (artifactClient) {
    const up = await artifactClient.uploadArtifact(
      inputs.name,
      [built.archive, built.manifestPath],
      join(built.archive, '..'),
      {
        ...(inputs.retentionDays ? { retentionDays: inputs.retentionDays } : {}),
      },
    );
    artifactId = up.id;
  }

  let releaseUrl: string | undefined;
  if (inputs.releaseTag) {
    const { attachToRelease, createGitHub } = await import('@rollgate/github');
    releaseUrl = await attachToRelease(
      createGitHub({ token: inputs.token, baseUrl: env.apiUrl }),
      { owner: env.owner, repo: env.repo },
      inputs.releaseTag,
      [built.archive, built.manifestPath],
    );
  }

  setOutputs({
    'artifact-name': inputs.name,
    'artifact-id': artifactId,
    digest: built.digest,
    manifest: built.manifestPath,
    archive: built.archive,
    version,
    'build-id': built.manifest.build_id,
  });
  const rows: [string, string][] = [
    ['build', built.manifest.build_id],
    ['version', version],
    ['digest', `\`${built.digest}\``],
    ['files', String(built.manifest.files.length)],
    ['artifact', artifactId ? `${inputs.name} (id ${artifactId})` : 'not uploaded'],
  ];
  if (releaseUrl) rows.push(['release', releaseUrl]);
  await writeSummary(`## 📦 Built ${inputs.name}\n\n${table(['', ''], rows)}`);
});
