/**
 * The release job: find the last release, decide the next version, write the changelog,
 * push the tags and publish the GitHub release. Idempotent: a commit that already carries
 * the release tag gets its release completed or reported, never a second version.
 */
import { ActionError, silentLogger, type Logger } from '@rollgate/kit';
import type { GitHub, Repo } from '@rollgate/github';
import { renderChangelog } from './changelog.js';
import { changesOf, unreadable, type Change } from './commits.js';
import {
  commitsSince,
  deepen,
  headSha,
  highestReachable,
  isShallow,
  pathExists,
  scanTagsOf,
  semverTagsOutside,
} from './history.js';
import { PlanError, planRelease, type PreMajor, type ReleaseTag } from './plan.js';
import { pushTags } from './push.js';
import { ANY_TYPE, type Bump, type ReleaseRules } from './rules.js';
import { formatSemVer, isStable } from './semver.js';

export interface ReleaseConfig {
  cwd: string;
  tagPrefix: string;
  /** Prefixes the project tagged with before tag-prefix (`pkg@` before `pkg-v`): their tags are earlier releases too. */
  previousTagPrefixes?: string[];
  initialVersion: string;
  /** True when the user set initial-version (a first release next to other tags is then deliberate). */
  initialVersionSet?: boolean;
  rules: ReleaseRules;
  /** Read release-please's BEGIN_NESTED_COMMIT blocks in bodies as commits. */
  nestedCommits?: boolean;
  /** Before 1.0.0: what a breaking change and a feature bump (plan.ts, PreMajor). */
  preMajor: PreMajor;
  /** What a revert of a commit that released nothing releases (plan.ts, PlanOptions); default patch. */
  revertsOfNothing?: 'patch' | 'none';
  /** Workspace dependencies released in the same run (a monorepo manifest): each bumps this package. */
  dependencyUpdates?: { name: string; version: string }[];
  /**
   * Scope filtering (simple-release's monorepo rule): a change whose scope names only other
   * packages does not count for this one. `names`: the scopes that mean this package; `shared`:
   * scopes that count for every package the commit touches (e.g. deps).
   */
  scopes?: { names: string[]; shared: string[] };
  /** Tag prefixes of the other packages released with this one (a manifest): their tags are not "other version tags". */
  siblingTagPrefixes?: string[];
  /** The least bump a dependency update gives (default patch, as release-please's node-workspace plugin). */
  dependentsBump?: Bump;
  prerelease: string;
  path: string;
  floatingTags: boolean;
  /** Asset files, already resolved from the globs. */
  assets: string[];
  dryRun: boolean;
  /** https://github.com/owner/repo, for links. */
  repoUrl?: string;
  repo?: Repo;
  github?: GitHub;
  token?: string;
  /** Where the release says what it does (the runner's log in an action: kit's actionsLogger); default silent. */
  logger?: Logger;
}

export interface ReleaseResult {
  released: boolean;
  /** The run found the release already tagged at HEAD. */
  existing: boolean;
  version: string;
  tag: string;
  previousVersion: string;
  previousTag: string;
  releaseType: Bump;
  changelog: string;
  sha: string;
  floatingTags: string[];
  releaseUrl?: string;
  /** Commits whose header looks typed but cannot be read (`feat:x`): counted as nothing, and named. */
  unread: string[];
}

const versionOf = (t: ReleaseTag | undefined) => (t ? formatSemVer(t.version) : '');

/** A release decided and not yet written: `completeRelease` writes it. */
export interface PreparedRelease {
  config: ReleaseConfig;
  result: ReleaseResult;
  /** The release tag was already at HEAD (a re-run). */
  atHead: boolean;
  /** A stable release (no prerelease channel). */
  stable: boolean;
}

/** Decides and, unless dry-run, writes the release: tags pushed, GitHub release published. */
export async function release(config: ReleaseConfig): Promise<ReleaseResult> {
  const prepared = await prepareRelease(config);
  return config.dryRun ? prepared.result : completeRelease(prepared);
}

/** Where the releases stand at HEAD: the release tags, the last stable one and a release already at HEAD. */
async function findLastRelease(config: ReleaseConfig, logger: Logger) {
  const prefixes = [config.tagPrefix, ...(config.previousTagPrefixes ?? [])];
  if (await isShallow(config.cwd)) {
    if (config.dryRun)
      throw new ActionError(
        'The repository is a shallow clone: set `fetch-depth: 0` on actions/checkout (dry-run does not fetch).',
      );
    logger.info('Shallow clone: fetching release tags and the history since the last release.');
    await deepen(config.cwd, prefixes);
  }
  const { tags, ignored } = await scanTagsOf(config.cwd, prefixes);
  if (ignored.length)
    logger.notice(
      `Ignoring tags that are not semantic versions: ${ignored.slice(0, 10).join(', ')}${ignored.length > 10 ? ', …' : ''}`,
    );
  const sha = await headSha(config.cwd);
  if (config.path && !(await pathExists(config.cwd, config.path))) {
    throw new ActionError(
      `path '${config.path}' does not exist at HEAD (${sha.slice(0, 7)}): no commit could ever count. Set path to a folder of the repository, or leave it empty.`,
    );
  }
  if (tags.length === 0) await guardOtherTags(config, [...prefixes, ...(config.siblingTagPrefixes ?? [])], logger);
  const channel = config.prerelease;
  const inMode = (t: ReleaseTag) => (channel ? t.version.prerelease[0] === channel : isStable(t.version));
  const atHead = tags.find((t) => t.sha === sha && inMode(t));
  const others = tags.filter((t) => t.sha !== sha);
  const lastStable = await highestReachable(config.cwd, atHead ? others : tags, true);
  return { tags, sha, atHead, lastStable };
}

/** No tag has the prefixes: other version tags mean a wrong prefix, unless initial-version says a new series. */
async function guardOtherTags(config: ReleaseConfig, prefixes: string[], logger: Logger): Promise<void> {
  const others = await semverTagsOutside(config.cwd, prefixes);
  if (!others.length) return;
  const named = `${others.slice(0, 5).join(', ')}${others.length > 5 ? `, … (${others.length} in all)` : ''}`;
  const what = `No tag starts with tag-prefix '${config.tagPrefix}', but the repository has other version tags: ${named}.`;
  if (!config.initialVersionSet) {
    throw new ActionError(
      `${what} Set tag-prefix to match them (e.g. '${prefixOf(others[0] as string)}'), or set initial-version to start a new series under '${config.tagPrefix}'.`,
    );
  }
  logger.warning(`${what} Starting a new series at ${config.initialVersion} because initial-version is set.`);
}

/** The changes since the last release, with the headers that look typed but cannot be read named. */
async function readChanges(config: ReleaseConfig, since: string | undefined, logger: Logger) {
  const commits = await commitsSince(config.cwd, since, config.path);
  const untyped = config.rules.has(ANY_TYPE);
  const changes = commits
    .flatMap((c) => changesOf(c, { nestedCommits: config.nestedCommits ?? false, untyped }))
    .filter((c) => ownScope(c, config.scopes));
  const unread = commits
    .filter((c) => (c.parents ?? 1) === 1 && unreadable(c.message))
    .map((c) => `${c.sha.slice(0, 7)} ${c.message.trim().split('\n', 1)[0]}`);
  for (const u of unread)
    logger.warning(
      `Commit ${u}: the header looks typed but is not a Conventional Commit (type(scope)!: subject), so it releases nothing.`,
    );
  for (const c of changes.filter((x) => !x.conventional && x.breaking)) {
    logger.notice(
      `Commit ${c.sha.slice(0, 7)} '${c.header}' has a title that is not a Conventional Commit, but a BREAKING CHANGE footer: counted as a breaking change.`,
    );
  }
  return { commits, changes, unread };
}

/** Whether a change counts under scope filtering: no scope, a shared scope, or one of the package's names among its scopes. */
function ownScope(c: Change, scopes: ReleaseConfig['scopes']): boolean {
  if (!scopes || !c.scope) return true;
  const parts = c.scope.split(',').map((s) => s.trim());
  return parts.some((p) => scopes.names.includes(p) || scopes.shared.includes(p));
}

/** Reads git and decides the release; writes nothing. Every refusal happens here. */
export async function prepareRelease(config: ReleaseConfig): Promise<PreparedRelease> {
  const logger = config.logger ?? silentLogger;
  const { tags, sha, atHead, lastStable } = await findLastRelease(config, logger);
  const { commits, changes, unread } = await readChanges(config, lastStable?.sha, logger);
  const updated = config.dependencyUpdates ?? [];
  const plan = atHead
    ? { releaseType: 'none' as Bump, changes, next: { version: formatSemVer(atHead.version), tag: atHead.name } }
    : planOrRefuse(lastStable, changes, tags, {
        ...config,
        dependencyBump: updated.length ? (config.dependentsBump ?? 'patch') : 'none',
      });
  if ('releaseAs' in plan && plan.releaseAs)
    logger.info(
      `Commit ${plan.releaseAs.sha.slice(0, 7)} sets the version with its footer Release-As: ${plan.releaseAs.version}.`,
    );
  const base = {
    previousVersion: versionOf(lastStable),
    previousTag: lastStable?.name ?? '',
    sha,
    floatingTags: [] as string[],
    unread,
  };
  if (!plan.next) {
    logger.info(
      `No release: none of the ${commits.length} commit(s) since ${lastStable?.name ?? 'the start'} calls for one.`,
    );
    const result = {
      ...base,
      released: false,
      existing: false,
      version: versionOf(lastStable),
      tag: lastStable?.name ?? '',
    };
    return { config, result: { ...result, releaseType: 'none', changelog: '' }, atHead: false, stable: true };
  }
  const { version, tag } = plan.next;
  const changelog = renderChangelog(plan.changes, {
    version,
    tag,
    extraTypes: [...config.rules].filter(([, b]) => b !== 'none').map(([t]) => t),
    dependencies: updated,
    ...(lastStable ? { previousTag: lastStable.name } : {}),
    ...(config.repoUrl ? { repoUrl: config.repoUrl } : {}),
  });
  const parsed = atHead?.version ?? tags.find((t) => t.name === tag)?.version;
  const stable = config.prerelease === '' && (parsed ? isStable(parsed) : true);
  const floating = config.floatingTags && stable ? floatingTagsFor(config.tagPrefix, version) : [];
  const result: ReleaseResult = {
    ...base,
    released: !atHead,
    existing: Boolean(atHead),
    version,
    tag,
    releaseType: atHead ? 'none' : plan.releaseType,
    changelog,
    floatingTags: floating,
  };
  if (config.dryRun)
    logger.info(atHead ? `HEAD is already released as ${tag}.` : `Would release ${tag} (${plan.releaseType}).`);
  return { config, result, atHead: Boolean(atHead), stable };
}

/** Writes a prepared release: the tags (unless already at HEAD), then the GitHub release. */
export async function completeRelease(prepared: PreparedRelease): Promise<ReleaseResult> {
  const { config, atHead, stable } = prepared;
  const result = { ...prepared.result };
  const log = (line: string) => (config.logger ?? silentLogger).info(line);
  if (!result.tag || (!result.released && !atHead)) return result;
  if (!config.github || !config.repo)
    throw new ActionError('A GitHub token is required to release: set the github-token input.');
  const { tag, changelog, sha, floatingTags: floating } = result;
  let resume = atHead;
  if (!atHead) {
    const pushed = await pushTags({
      cwd: config.cwd,
      tag,
      sha,
      message: `${tag}\n\n${changelog}`,
      floating,
      ...(config.token ? { token: config.token } : {}),
    });
    log(
      pushed.existed
        ? `Tag ${tag} was already pushed at this commit; completing the release.`
        : `Pushed ${[tag, ...floating].join(', ')}.`,
    );
    resume = pushed.existed;
  }
  const { publishRelease } = await import('@rollgate/github');
  const published = await publishRelease(
    config.github,
    config.repo,
    { tag, name: tag, body: changelog, prerelease: !stable, assets: config.assets },
    resume,
  );
  if (atHead && published.created) {
    log(`Completed the release of ${tag} (its tag existed without a release).`);
    result.released = true;
  } else if (atHead) {
    log(`HEAD is already released as ${tag}: nothing to do.`);
  }
  result.releaseUrl = published.url;
  return result;
}

/** The plan, with a footer the plan cannot follow (Release-As) turned into the action's one error line. */
function planOrRefuse(...args: Parameters<typeof planRelease>): ReturnType<typeof planRelease> {
  try {
    return planRelease(...args);
  } catch (e) {
    if (e instanceof PlanError) throw new ActionError(e.message);
    throw e;
  }
}

/** `release-1.2.3` -> `release-`. */
function prefixOf(tag: string): string {
  return tag.slice(0, tag.search(/\d+\.\d+\.\d+/));
}

/** `v1.3.0` -> [`v1`, `v1.3`]. */
export function floatingTagsFor(prefix: string, version: string): string[] {
  const [major, minor] = version.split('.');
  return [`${prefix}${major}`, `${prefix}${major}.${minor}`];
}
