/**
 * The deployer a phased release runs: each release's original artifact fetched and its digest
 * checked once (the new one, and the previous one when a roll back needs it), unpacked, then the
 * user's deploy command run per target with the version and the unpacked directory as its last
 * two arguments and the target in ROLLGATE_TARGET / ROLLGATE_ADDRESS (never through a shell).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionError, execBounded, type Logger } from '@rollgate/kit';
import type { GitHub, Repo } from '@rollgate/github';
import { extractArchive, releaseFolder } from './extract.js';
import { fetchArtifact } from './fetch.js';
import type { Target } from '../fleet/plan.js';
import type { Deployer, Release } from '../fleet/types.js';

export interface CommandDeployerOptions {
  command: string[];
  /** The longest one deploy may run; past it the command and its process group are stopped (default 10 min). */
  timeoutMs?: number;
  /** The job's cancellation: stops a deploy at once, with its process group. */
  signal?: AbortSignal;
  gh: GitHub;
  token: string;
  repo: Repo;
  tempDir?: string;
  logger: Logger;
}

export function commandDeployer(options: CommandDeployerOptions): Deployer {
  const unpacked = new Map<string, Promise<{ dir: string; archive: string; source: string }>>();
  const unpack = (release: Release) => {
    const key = `${release.version}@${release.artifact?.digest ?? ''}`;
    let found = unpacked.get(key);
    if (!found) {
      found = (async () => {
        if (!release.artifact?.digest)
          throw new ActionError(
            `${release.version} records no artifact: it cannot be deployed from its original build`,
          );
        const folder = await releaseFolder(options.tempDir || tmpdir(), release.version);
        const fetched = await fetchArtifact(options.gh, options.token, options.repo, release.artifact, folder);
        const dir = join(folder, 'release');
        await extractArchive(fetched.archive, dir);
        return { dir, archive: fetched.archive, source: fetched.source };
      })();
      unpacked.set(key, found);
    }
    return found;
  };
  return {
    async deploy(target: Target, release: Release) {
      const { dir, archive, source } = await unpack(release);
      const [program, ...args] = options.command as [string, ...string[]];
      options.logger.info(
        `Deploying ${release.version} from ${source} (digest verified) to ${target.name}${target.address ? ` (${target.address})` : ''}.`,
      );
      const started = Date.now();
      await execBounded(`Deploy to ${target.name}`, program, [...args, release.version, dir], {
        timeoutMs: options.timeoutMs ?? 600_000,
        ...(options.signal ? { signal: options.signal } : {}),
        env: {
          ROLLGATE_VERSION: release.version,
          ROLLGATE_ARTIFACT_DIR: dir,
          ROLLGATE_ARCHIVE: archive,
          ROLLGATE_TARGET: target.name,
          ROLLGATE_ADDRESS: target.address,
        },
      });
      options.logger.info(
        `Deployed ${release.version} to ${target.name} in ${((Date.now() - started) / 1000).toFixed(1)}s.`,
      );
    },
  };
}
