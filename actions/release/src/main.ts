import {
  actionsLogger,
  InputError,
  Inputs,
  readRunnerEnv,
  runAction,
  setOutputs,
  table,
  writeSummary,
  runner,
} from '@rollgate/kit';
import { TAG_PREFIX, parseReleaseRules, release, type ReleaseConfig } from '@rollgate/versioning';
import { DEFAULTS } from './defaults.js';
import { readManifest, runManifest } from './manifest.js';

/** The release config this action reads from its inputs, plus the token. */
export type ReleaseInputs = Pick<
  ReleaseConfig,
  | 'tagPrefix'
  | 'previousTagPrefixes'
  | 'revertsOfNothing'
  | 'initialVersion'
  | 'initialVersionSet'
  | 'nestedCommits'
  | 'rules'
  | 'preMajor'
  | 'prerelease'
  | 'path'
  | 'floatingTags'
  | 'dryRun'
> & {
  token: string;
  /** Glob patterns (resolved to files before anything is written). */
  assets: string[];
  /** A monorepo's release manifest (path from the repository root), empty for one package. */
  manifest: string;
};

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function readInputs(inputs: Inputs): ReleaseInputs {
  const dryRun = inputs.boolean('dry-run');
  const parsed = parseReleaseRules(inputs.string('release-rules'));
  if ('error' in parsed) throw new InputError('release-rules', parsed.error);
  return {
    dryRun,
    token: dryRun ? '' : inputs.string('github-token', { required: true }),
    tagPrefix: inputs.string('tag-prefix', {
      emptyIsValue: true,
      pattern: {
        regex: TAG_PREFIX,
        description:
          'letters, digits, ".", "_", "/", "@" or "-", starting with a letter, a digit or "@", that git takes in a tag name (e.g. v, api-v, pkg@, @scope/pkg@ or pkg/v)',
      },
    }),
    previousTagPrefixes: inputs.list('previous-tag-prefixes', { separator: /[\n,]/ }).map((prefix) => {
      if (!TAG_PREFIX.test(prefix))
        throw new InputError('previous-tag-prefixes', 'tag prefixes git takes in a tag name (e.g. pkg@ or v)', prefix);
      return prefix;
    }),
    revertsOfNothing: inputs.oneOf('non-releasing-reverts', ['patch', 'none'] as const),
    initialVersion: inputs.string('initial-version', {
      default: '0.1.0',
      pattern: { regex: SEMVER, description: 'a version such as 0.1.0 or 1.0.0' },
    }),
    initialVersionSet: inputs.string('initial-version') !== '',
    nestedCommits: inputs.boolean('nested-commits'),
    rules: parsed.rules,
    preMajor: readPreMajor(inputs),
    prerelease: inputs.string('prerelease', {
      pattern: {
        regex: /^[A-Za-z-][0-9A-Za-z-]*$/,
        description: 'a channel name of letters, digits and hyphens, starting with a letter (e.g. rc, beta)',
      },
    }),
    path: inputs.string('path'),
    floatingTags: inputs.boolean('floating-tags'),
    assets: inputs.list('assets', { separator: /\n/ }),
    manifest: readManifestInput(inputs),
  };
}

/** The manifest names each package's path and tag prefix: the single-package inputs are refused beside it. */
function readManifestInput(inputs: Inputs): string {
  const manifest = inputs.string('manifest');
  if (!manifest) return '';
  for (const name of ['path', 'assets', 'previous-tag-prefixes'])
    if (inputs.string(name))
      throw new InputError(
        name,
        `empty with manifest: ${manifest} (set it per package in the manifest)`,
        inputs.string(name),
      );
  const prefix = inputs.string('tag-prefix', { emptyIsValue: true });
  if (prefix !== 'v')
    throw new InputError(
      'tag-prefix',
      `left out with manifest: ${manifest} (set it per package in the manifest)`,
      prefix,
    );
  return manifest;
}

/**
 * The two pre-1.0 switches with release-please's names; each left empty follows major-on-zero
 * (false: both on, this action's behaviour before they existed; true: both off).
 */
function readPreMajor(inputs: Inputs): ReleaseInputs['preMajor'] {
  const majorOnZero = inputs.boolean('major-on-zero');
  const minor = inputs.string('bump-minor-pre-major');
  const patch = inputs.string('bump-patch-for-minor-pre-major');
  const preMajor = {
    bumpMinorPreMajor: inputs.boolean('bump-minor-pre-major', !majorOnZero),
    bumpPatchForMinorPreMajor: inputs.boolean('bump-patch-for-minor-pre-major', !majorOnZero),
  };
  if (majorOnZero && (preMajor.bumpMinorPreMajor || preMajor.bumpPatchForMinorPreMajor))
    throw new InputError(
      'major-on-zero',
      `false with ${preMajor.bumpMinorPreMajor ? `bump-minor-pre-major: ${minor}` : `bump-patch-for-minor-pre-major: ${patch}`} (major-on-zero: true means both are false; set the two switches alone)`,
      'true',
    );
  return preMajor;
}

async function resolveAssets(patterns: string[]): Promise<string[]> {
  if (patterns.length === 0) return [];
  const glob = await import('@actions/glob');
  const files = await (await glob.create(patterns.join('\n'), { matchDirectories: false })).glob();
  if (files.length === 0) throw new InputError('assets', 'patterns that match at least one file', patterns.join(', '));
  return files.sort();
}

await runAction(async () => {
  const inputs = readInputs(new Inputs((name) => runner.getInput(name), DEFAULTS));
  const env = readRunnerEnv();
  const { workspace, repository, owner, repo, serverUrl } = env;
  const assets = await resolveAssets(inputs.assets);
  let github;
  if (!inputs.dryRun) {
    if (!owner || !repo) throw new InputError('GITHUB_REPOSITORY', 'owner/repo (set by the runner)', repository);
    const { createGitHub } = await import('@rollgate/github');
    github = createGitHub({ token: inputs.token, baseUrl: env.apiUrl });
  }
  if (inputs.manifest) {
    const manifest = readManifest(workspace, inputs.manifest, inputs.preMajor);
    await runManifest(
      {
        ...inputs,
        cwd: workspace,
        assets: [],
        ...(repository ? { repoUrl: `${serverUrl}/${repository}`, repo: { owner, repo } } : {}),
        ...(github ? { github, token: inputs.token } : {}),
        logger: actionsLogger,
      },
      manifest,
    );
    return;
  }
  const result = await release({
    ...inputs,
    cwd: workspace,
    assets,
    ...(repository ? { repoUrl: `${serverUrl}/${repository}`, repo: { owner, repo } } : {}),
    ...(github ? { github, token: inputs.token } : {}),
    logger: actionsLogger,
  });
  setOutputs({
    version: result.version,
    tag: result.tag,
    'previous-version': result.previousVersion,
    'previous-tag': result.previousTag,
    'release-type': result.releaseType,
    released: result.released,
    changelog: result.changelog,
    sha: result.sha,
  });
  const verb = inputs.dryRun
    ? result.released
      ? 'Would release'
      : 'Nothing to release'
    : result.released
      ? 'Released'
      : 'Nothing released';
  const rows: [string, string][] = [
    ['version', result.version || '—'],
    ['tag', result.tag || '—'],
    ['previous', result.previousTag || '—'],
    ['release type', result.releaseType],
    ['commit', result.sha.slice(0, 7)],
  ];
  if (result.floatingTags.length) rows.push(['floating tags', result.floatingTags.join(', ')]);
  if (result.releaseUrl) rows.push(['release', result.releaseUrl]);
  runner.info(`${verb}${result.tag ? ` ${result.tag}` : ''}${inputs.dryRun ? ' (dry run)' : ''}.`);
  await writeSummary(
    `## ${verb}${result.tag ? ` ${result.tag}` : ''}${inputs.dryRun ? ' (dry run)' : ''}\n\n${table(['', ''], rows)}\n${result.changelog}` +
      (result.unread.length
        ? `\n### Headers not read\n\nThese look like typed commits but are not Conventional Commits (\`type(scope)!: subject\`), so they release nothing:\n\n${result.unread.map((u) => `- \`${u.replace(/`/g, "'")}\``).join('\n')}\n`
        : ''),
  );
});
