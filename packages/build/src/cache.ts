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

export type PackageManager = 'npm' | 'yarn' | 'pnpm';

const LOCKFILES: Record<PackageManager, string> = {
  npm: 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
};

export interface CachePlan {
  key: string;
  restoreKeys: string[];
  paths: string[];
}

/** The folder each package manager keeps downloads in (asked from the tool, with the usual default). */
async function cacheDir(pm: PackageManager, cwd: string): Promise<string> {
  const ask = async (program: string, args: string[]) => {
    const r = await execFile(program, args, { cwd, echo: false }).catch(() => undefined);
    return r?.exitCode === 0 ? r.stdout.trim() : '';
  };
  if (pm === 'npm') return (await ask('npm', ['config', 'get', 'cache'])) || join(homedir(), '.npm');
  if (pm === 'yarn') return (await ask('yarn', ['cache', 'dir'])) || join(homedir(), '.cache', 'yarn');
  return (await ask('pnpm', ['store', 'path'])) || join(homedir(), '.local', 'share', 'pnpm', 'store');
}

/** `runnerOs`: RUNNER_OS (caches are kept per OS, as actions/cache does). */
export async function planCache(
  pm: PackageManager,
  cwd: string,
  runnerOs: string = process.platform,
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
  return { key: `${prefix}${hash}`, restoreKeys: [prefix], paths: [await cacheDir(pm, cwd)] };
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
