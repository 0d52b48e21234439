/**
 * GitHub releases, idempotently: an existing release for the tag is returned instead of a
 * duplicate; with assets, the release is a draft until every asset is uploaded.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GitHub } from './client.js';

export interface Repo {
  owner: string;
  repo: string;
}

export interface ReleaseSpec {
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
  /** Files to attach (absolute paths). */
  assets: string[];
}

export interface PublishedRelease {
  id: number;
  url: string;
  created: boolean;
  assets: { name: string; id: number }[];
}

function status(error: unknown): number | undefined {
  return (error as { status?: number }).status;
}

/** The release for a tag, draft or published, if one exists. */
export async function findRelease(gh: GitHub, repo: Repo, tag: string, includeDrafts: boolean) {
  try {
    return (await gh.rest.repos.getReleaseByTag({ ...repo, tag })).data;
  } catch (error) {
    if (status(error) !== 404) throw error;
  }
  if (!includeDrafts) return undefined;
  const list = await gh.rest.repos.listReleases({ ...repo, per_page: 100 });
  return list.data.find((r) => r.tag_name === tag);
}

/**
 * Creates the release for an existing tag. Without assets that is one call; with assets:
 * a draft, the uploads, then publishing. `resume` looks for a release (or draft) left by
 * an earlier run first.
 */
export async function publishRelease(
  gh: GitHub,
  repo: Repo,
  spec: ReleaseSpec,
  resume: boolean,
): Promise<PublishedRelease> {
  let release = resume ? await findRelease(gh, repo, spec.tag, true) : undefined;
  if (release && !release.draft) {
    return {
      id: release.id,
      url: release.html_url,
      created: false,
      assets: release.assets.map((a) => ({ name: a.name, id: a.id })),
    };
  }
  const draft = spec.assets.length > 0;
  if (!release) {
    try {
      release = (
        await gh.rest.repos.createRelease({
          ...repo,
          tag_name: spec.tag,
          name: spec.name,
          body: spec.body,
          draft,
          prerelease: spec.prerelease,
          make_latest: spec.prerelease ? 'false' : 'true',
        })
      ).data;
    } catch (error) {
      // 422 already_exists: another run published it meanwhile.
      const existing = status(error) === 422 ? await findRelease(gh, repo, spec.tag, false) : undefined;
      if (!existing) throw error;
      return {
        id: existing.id,
        url: existing.html_url,
        created: false,
        assets: existing.assets.map((a) => ({ name: a.name, id: a.id })),
      };
    }
  }
  const uploaded = await uploadMissing(gh, repo, release, spec.assets);
  if (release.draft) {
    release = (
      await gh.rest.repos.updateRelease({
        ...repo,
        release_id: release.id,
        draft: false,
        body: spec.body,
        name: spec.name,
      })
    ).data;
  }
  return {
    id: release.id,
    url: release.html_url,
    created: true,
    assets: [...uploaded].map(([name, id]) => ({ name, id })),
  };
}

/** Attaches files to the release with this tag (a draft counts); files already attached are kept. */
export async function attachToRelease(gh: GitHub, repo: Repo, tag: string, files: string[]): Promise<string> {
  const release = await findRelease(gh, repo, tag, true);
  if (!release) {
    const { ActionError } = await import('@rollgate/kit');
    throw new ActionError(
      `No GitHub release with tag '${tag}' to attach the build to: release first, or leave release-tag empty.`,
    );
  }
  await uploadMissing(gh, repo, release, files);
  return release.html_url;
}

/** Uploads the files a release does not have yet (by name); returns every asset name -> id. */
async function uploadMissing(
  gh: GitHub,
  repo: Repo,
  release: { id: number; upload_url: string; assets: { name: string; id: number }[] },
  files: string[],
): Promise<Map<string, number>> {
  const uploaded = new Map(release.assets.map((a) => [a.name, a.id]));
  for (const file of files) {
    const name = basename(file);
    if (uploaded.has(name)) continue;
    const data = await readFile(file);
    const asset = await gh.rest.repos.uploadReleaseAsset({
      ...repo,
      release_id: release.id,
      name,
      url: release.upload_url,
      data: data as unknown as string,
      headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
    });
    uploaded.set(name, asset.data.id);
  }
  return uploaded;
}

/** The commit a tag points at (annotated tags followed), or '' when the tag does not exist. */
export async function commitOfTag(gh: GitHub, repo: Repo, tag: string): Promise<string> {
  try {
    let { data } = await gh.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
    for (let depth = 0; data.object.type === 'tag' && depth < 4; depth += 1) {
      const tagObject = await gh.rest.git.getTag({ ...repo, tag_sha: data.object.sha });
      data = { ...data, object: tagObject.data.object };
    }
    return data.object.type === 'commit' ? data.object.sha : '';
  } catch (error) {
    if ((error as { status?: number }).status === 404) return '';
    throw error;
  }
}
