/**
 * Dependency caching through @actions/cache, keyed on the lock file: restored before the
 * install command, saved after it when the key missed. A cache service that is missing or
 * failing costs a warning, never the build.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ActionError, execFile, type Logger } from '@rollgate/kit';

export type PackageManager = 'npm' | 'yarn' | 'pnpm' | 'pip' | 'poetry' | 'uv';
export const PACKAGE_MANAGERS: readonly PackageManager[] = ['npm', 'yarn', 'pnpm', 'pip', 'poetry', 'uv'];

/** The file that keys each manager's cache: a lock file (pip: the requirements file). */
const LOCKFILES: Record<PackageManager, string> = {
  npm: 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
  pip: 'requirements.txt',
  poetry: 'poetry.lock',
  uv: 'uv.lock',
};

/** How each manager says where its cache is (its environment variable first), and the usual default. */
const CACHE_DIRS: Record<PackageManager, { env?: string; ask: [string, string[]]; fallback: string[] }> = {
  npm: { env: 'npm_config_cache', ask: ['npm', ['config', 'get', 'cache']], fallback: ['.npm'] },
  yarn: { env: 'YARN_CACHE_FOLDER', ask: ['yarn', ['cache', 'dir']], fallback: ['.cache', 'yarn'] },
  pnpm: { ask: ['pnpm', ['store', 'path']], fallback: ['.local', 'share', 'pnpm', 'store'] },
  pip: { env: 'PIP_CACHE_DIR', ask: ['pip', ['cache', 'dir']], fallback: ['.cache', 'pip'] },
  poetry: { env: 'POETRY_CACHE_DIR', ask: ['poetry', ['config', 'cache-dir']], fallback: ['.cache', 'pypoetry'] },
  uv: { env: 'UV_CACHE_DIR', ask: ['uv', ['cache', 'dir']], fallback: ['.cache', 'uv'] },
};

export interface CachePlan {
  key: string;
  restoreKeys: string[];
  paths: string[];
}

/** The folder each package manager keeps downloads in (its variable, else asked from the tool, else the usual default). */
async function cacheDir(
  pm: PackageManager,
  cwd: string,
  vars: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const where = CACHE_DIRS[pm];
  const set = where.env ? vars[where.env]?.trim() : '';
  if (set) return set;
  const [program, args] = where.ask;
  const r = await execFile(program, args, { cwd, echo: false }).catch(() => undefined);
  const said = r?.exitCode === 0 ? r.stdout.trim().split('\n').at(-1)?.trim() : '';
  return said || join(homedir(), ...where.fallback);
}

/**
 * `runnerOs`: RUNNER_OS (caches are kept per OS, as actions/cache does); `vars`: the step's
 * environment, where a manager's cache variable (PIP_CACHE_DIR...) may name its folder.
 */
export async function planCache(
  pm: PackageManager,
  cwd: string,
  runnerOs: string,
  vars: Readonly<Record<string, string | undefined>> = {},
): Promise<CachePlan> {
  const lock = join(cwd, LOCKFILES[pm]);
  if (!existsSync(lock))
    throw new ActionError(
      `cache: ${pm} needs ${LOCKFILES[pm]} in ${cwd} to key the cache; commit the lock file or remove the cache input.`,
    );
  const hash = createHash('sha256')
    .update(await readFile(lock))
    .digest('hex')
    .slice(0, 32);
  const prefix = `rollgate-build-${runnerOs}-${pm}-`;
  return { key: `${prefix}${hash}`, restoreKeys: [prefix], paths: [await cacheDir(pm, cwd, vars)] };
}

export async function restoreDependencies(plan: CachePlan, logger: Logger): Promise<string | undefined> {
  const cache = await import('@actions/cache');
  if (!cache.isFeatureAvailable()) {
    logger.warning('The cache service is not available on this runner: installing without a cache.');
    return undefined;
  }
  try {
    return await cache.restoreCache(plan.paths, plan.key, plan.restoreKeys);
  } catch (error) {
    logger.warning(`Cache restore failed, continuing without it: ${(error as Error).message}`);
    return undefined;
  }
}

export async function saveDependencies(plan: CachePlan, hit: string | undefined, logger: Logger): Promise<boolean> {
  if (hit === plan.key) return false;
  const cache = await import('@actions/cache');
  if (!cache.isFeatureAvailable()) return false;
  try {
    return (await cache.saveCache(plan.paths, plan.key)) !== -1;
  } catch (error) {
    logger.warning(`Cache save failed, the build goes on: ${(error as Error).message}`);
    return false;
  }
}
