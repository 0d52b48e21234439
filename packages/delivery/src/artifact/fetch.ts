/**
 * Gets a release's original build archive back and proves it is the same bytes: from the
 * GitHub release asset when the record names one (it outlives artifact retention), else from
 * the workflow artifact of the run that built it. The SHA-256 must equal the recorded digest.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActionError } from '@rollgate/kit';
import type { ArtifactRef, GitHub, Repo } from '@rollgate/github';
import { MAX_ARCHIVE_BYTES } from './extract.js';

export interface Fetched {
  archive: string;
  digest: string;
  source: string;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function fromRelease(gh: GitHub, repo: Repo, ref: ArtifactRef, dir: string): Promise<Fetched | string> {
  const name = ref.asset ?? `${ref.name}.tar.gz`;
  let release;
  try {
    release = (await gh.rest.repos.getReleaseByTag({ ...repo, tag: ref.release_tag as string })).data;
  } catch (error) {
    return `release ${ref.release_tag}: ${(error as Error).message}`;
  }
  const asset = release.assets.find((a) => a.name === name);
  if (!asset) return `release ${ref.release_tag} has no asset ${name}`;
  if (asset.size > MAX_ARCHIVE_BYTES)
    return `release ${ref.release_tag} asset ${name} has ${asset.size} bytes, more than the ${MAX_ARCHIVE_BYTES} allowed`;
  const res = await gh.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
    ...repo,
    asset_id: asset.id,
    headers: { accept: 'application/octet-stream' },
  });
  const data = Buffer.from(res.data as unknown as ArrayBuffer);
  if (data.length > MAX_ARCHIVE_BYTES)
    return `release ${ref.release_tag} asset ${name} is larger than the ${MAX_ARCHIVE_BYTES} bytes allowed`;
  // A fixed file name: the recorded name is data, never a path.
  const archive = join(dir, 'archive.tar.gz');
  await writeFile(archive, data);
  return { archive, digest: sha256(data), source: `release ${ref.release_tag} asset ${name}` };
}

async function fromWorkflowArtifact(
  token: string,
  repo: Repo,
  ref: ArtifactRef,
  dir: string,
): Promise<Fetched | string> {
  if (!ref.run_id) return 'no workflow run recorded';
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const client = new DefaultArtifactClient();
  const findBy = { token, workflowRunId: Number(ref.run_id), repositoryOwner: repo.owner, repositoryName: repo.repo };
  let id = ref.id;
  try {
    if (!id) id = (await client.getArtifact(ref.name, { findBy })).artifact.id;
    const path = join(dir, 'artifact');
    await mkdir(path, { recursive: true });
    await client.downloadArtifact(id, { path, findBy });
    const archive = join(path, `${ref.name}.tar.gz`);
    if (!existsSync(archive)) return `workflow artifact ${ref.name} has no ${ref.name}.tar.gz`;
    const size = (await stat(archive)).size;
    if (size > MAX_ARCHIVE_BYTES)
      return `workflow artifact ${ref.name} has ${size} bytes, more than the ${MAX_ARCHIVE_BYTES} allowed`;
    return {
      archive,
      digest: sha256(await readFile(archive)),
      source: `workflow artifact ${ref.name} (run ${ref.run_id})`,
    };
  } catch (error) {
    return `workflow artifact ${ref.name} of run ${ref.run_id}: ${(error as Error).message.split('\n')[0]}`;
  }
}

export async function fetchArtifact(
  gh: GitHub,
  token: string,
  repo: Repo,
  ref: ArtifactRef,
  dir: string,
): Promise<Fetched> {
  await mkdir(dir, { recursive: true });
  const tried: string[] = [];
  for (const attempt of [
    ref.release_tag ? () => fromRelease(gh, repo, ref, dir) : undefined,
    () => fromWorkflowArtifact(token, repo, ref, dir),
  ]) {
    if (!attempt) continue;
    const got = await attempt();
    if (typeof got === 'string') {
      tried.push(got);
      continue;
    }
    if (got.digest !== ref.digest) {
      throw new ActionError(
        `Digest mismatch for ${got.source}: recorded ${ref.digest}, fetched ${got.digest}. Nothing was deployed.`,
      );
    }
    return got;
  }
  throw new ActionError(
    `The original artifact ${ref.name} could not be fetched (${tried.join('; ')}). Nothing was deployed.`,
  );
}
