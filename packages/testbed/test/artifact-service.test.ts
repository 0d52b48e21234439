import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, GitHubEmulator, createRemote } from '../src/index.js';

// @actions/github reads GITHUB_API_URL when it is first imported, as on a runner where the
// env is set before the step starts: import the client only after the env below is set.
let DefaultArtifactClient: typeof import('@actions/artifact').DefaultArtifactClient;
let service: ArtifactService;
let gh: GitHubEmulator;
const RUN = 4242;
const saved = { ...process.env };

beforeAll(async () => {
  service = await ArtifactService.start();
  gh = (await GitHubEmulator.start({ remote: createRemote() })).useArtifacts(service);
  const { resultsUrl, runtimeToken } = service.env(RUN);
  Object.assign(process.env, {
    ACTIONS_RESULTS_URL: resultsUrl,
    ACTIONS_RUNTIME_TOKEN: runtimeToken,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: gh.url,
    GITHUB_WORKSPACE: mkdtempSync(join(tmpdir(), 'ws-')),
  });
  ({ DefaultArtifactClient } = await import('@actions/artifact'));
});
afterAll(async () => {
  process.env = saved;
  await service.stop();
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

function files(): { root: string; paths: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'upload-'));
  mkdirSync(join(root, 'bin'));
  writeFileSync(join(root, 'bin', 'app'), Buffer.alloc(3 * 1024 * 1024, 7)); // more than one read chunk
  writeFileSync(join(root, 'build-manifest.json'), JSON.stringify({ version: '1.2.3' }));
  return { root, paths: [join(root, 'bin', 'app'), join(root, 'build-manifest.json')] };
}

describe('artifact service emulator with the real @actions/artifact client', () => {
  it('uploads, lists and downloads an artifact in the same run, with its digest', async () => {
    const client = new DefaultArtifactClient();
    const { root, paths } = files();
    const up = await client.uploadArtifact('service-abc1234', paths, root);
    expect(up.id).toBeGreaterThan(0);
    const stored = service.store.artifacts.find((a) => a.id === up.id);
    expect(stored?.digest).toBe(`sha256:${up.digest}`);
    expect(
      createHash('sha256')
        .update(readFileSync(stored?.file as string))
        .digest('hex'),
    ).toBe(up.digest);

    const { artifacts } = await client.listArtifacts();
    expect(artifacts.map((a) => [a.name, a.id, a.digest])).toEqual([['service-abc1234', up.id, `sha256:${up.digest}`]]);

    const dest = mkdtempSync(join(tmpdir(), 'download-'));
    const down = await client.downloadArtifact(up.id as number, { path: dest, expectedHash: `sha256:${up.digest}` });
    expect(down.digestMismatch).toBe(false);
    expect(readFileSync(join(dest, 'bin', 'app')).equals(readFileSync(paths[0] as string))).toBe(true);
    expect(JSON.parse(readFileSync(join(dest, 'build-manifest.json'), 'utf8'))).toEqual({ version: '1.2.3' });
  });

  it('refuses a second artifact with the same name in a run', async () => {
    const client = new DefaultArtifactClient();
    const { root, paths } = files();
    await expect(client.uploadArtifact('service-abc1234', paths, root)).rejects.toThrow(/already exists|409|Conflict/i);
  }, 120_000);

  it('downloads from another run through the REST API (findBy)', async () => {
    const client = new DefaultArtifactClient();
    const findBy = { token: 'ghs_other', workflowRunId: RUN, repositoryOwner: gh.owner, repositoryName: gh.repo };
    // A later run (another runtime token) reads the artifact of run RUN.
    process.env.ACTIONS_RUNTIME_TOKEN = service.runtimeToken(RUN + 1);
    const found = await client.getArtifact('service-abc1234', { findBy });
    expect(found.artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const dest = mkdtempSync(join(tmpdir(), 'download-'));
    const down = await client.downloadArtifact(found.artifact.id, {
      path: dest,
      findBy,
      expectedHash: found.artifact.digest as string,
    });
    expect(down.digestMismatch).toBe(false);
    expect(readFileSync(join(dest, 'bin', 'app')).length).toBe(3 * 1024 * 1024);
    // A wrong expected digest is reported.
    const bad = await client.downloadArtifact(found.artifact.id, {
      path: mkdtempSync(join(tmpdir(), 'd-')),
      findBy,
      expectedHash: `sha256:${'0'.repeat(64)}`,
    });
    expect(bad.digestMismatch).toBe(true);
    process.env.ACTIONS_RUNTIME_TOKEN = service.runtimeToken(RUN);
  });
});
