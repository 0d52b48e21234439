import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, GitHubEmulator, createRemote, runAction, seedRepository, git } from '@rollgate/testbed';

let artifacts: ArtifactService;
let gh: GitHubEmulator;
let runId = 100;
beforeAll(async () => {
  artifacts = await ArtifactService.start();
  gh = (await GitHubEmulator.start({ remote: createRemote() })).useArtifacts(artifacts);
});
afterAll(async () => {
  await artifacts.stop();
  await gh.stop();
  expect(gh.violations).toEqual([]);
});

const BUILD = `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('out/bin', { recursive: true });
writeFileSync('out/bin/server.js', 'console.log("v" + process.argv[2])\\n');
writeFileSync('out/VERSION', process.argv[2] + '\\n');
console.log('built', process.argv[2]);`;

function project(): string {
  const remote = createRemote();
  const ws = seedRepository(remote, 'feat: service');
  writeFileSync(join(ws, 'build.mjs'), BUILD);
  return ws;
}

function build(ws: string, inputs: Record<string, string>, extra: Partial<Parameters<typeof runAction>[0]> = {}) {
  const id = ++runId;
  return runAction({
    action: 'build',
    workspace: ws,
    runId: id,
    sha: git(ws, ['rev-parse', 'HEAD']),
    repository: gh.repository,
    apiUrl: gh.url,
    token: 'ghs_build',
    ...artifacts.env(id),
    inputs,
    ...extra,
  });
}

describe('build action (bundle, runner contract, artifact service emulator)', () => {
  it('builds, archives with digests and a manifest, and uploads through the real artifact client', async () => {
    const ws = project();
    const r = await build(ws, {
      command: 'node build.mjs 2.1.0',
      outputs: 'out/**',
      name: 'service-build',
      version: '2.1.0',
    });
    expect(r.error).toBeUndefined();
    expect(r.exitCode).toBe(0);
    const digest = `sha256:${createHash('sha256')
      .update(readFileSync(r.outputs.archive as string))
      .digest('hex')}`;
    expect(r.outputs).toMatchObject({ 'artifact-name': 'service-build', digest, version: '2.1.0' });
    const manifest = JSON.parse(readFileSync(r.outputs.manifest as string, 'utf8'));
    expect(manifest).toMatchObject({
      schema: 'rollgate/build-manifest@1',
      build_id: `service-build@${git(ws, ['rev-parse', 'HEAD']).slice(0, 12)}+run.${runId}.1`,
      artifact: { name: 'service-build', archive: 'service-build.tar.gz', digest },
      version: '2.1.0',
      repository: gh.repository,
      run: { id: String(runId), attempt: '1' },
      command: ['node', 'build.mjs', '2.1.0'],
    });
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(['out/VERSION', 'out/bin/server.js']);
    expect(manifest.files[0].sha256).toBe(createHash('sha256').update('2.1.0\n').digest('hex'));
    // The uploaded artifact holds the archive and the manifest, and its zip digest is recorded.
    const stored = artifacts.store.forRun(runId);
    expect(stored.map((a) => [a.id, a.name])).toEqual([[Number(r.outputs['artifact-id']), 'service-build']]);
    const list = execFileSync('unzip', ['-l', stored[0]?.file as string], { encoding: 'utf8' });
    expect(list).toContain('service-build.tar.gz');
    expect(list).toContain('build-manifest.json');
    expect(r.summary).toContain('## 📦 Built service-build');
  });

  it('version defaults to git describe', async () => {
    const ws = project();
    git(ws, ['tag', '-a', 'v3.0.0', '-m', 'v3.0.0']);
    const r = await build(ws, { command: 'node build.mjs x', outputs: 'out/**', upload: 'false' });
    expect(r.outputs.version).toBe('3.0.0');
    expect(r.outputs['artifact-name']).toBe(`service-${git(ws, ['rev-parse', 'HEAD']).slice(0, 7)}`);
  });

  it('a second upload under the same name in the same run is an error naming the fix', async () => {
    const ws = project();
    const id = ++runId;
    const env = { runId: id, ...artifacts.env(id) };
    const first = await build(ws, { command: 'node build.mjs 1', outputs: 'out/**', name: 'same' }, env);
    expect(first.exitCode).toBe(0);
    const second = await build(ws, { command: 'node build.mjs 1', outputs: 'out/**', name: 'same' }, env);
    expect(second.exitCode).toBe(1);
    expect(second.error).toMatch(
      /^An artifact named 'same' was already uploaded in this run .*set the name input to a name unique to this job/,
    );
    expect(artifacts.store.forRun(id)).toHaveLength(1);
  });

  it('attaches the archive and manifest to the GitHub release', async () => {
    const ws = project();
    await fetch(`${gh.repoUrl}/releases`, {
      method: 'POST',
      headers: { authorization: 'token x', 'content-type': 'application/json' },
      body: JSON.stringify({ tag_name: 'v9.9.9', draft: true }),
    });
    const r = await build(ws, {
      command: 'node build.mjs 9.9.9',
      outputs: 'out/**',
      name: 'svc',
      'release-tag': 'v9.9.9',
      upload: 'false',
    });
    expect(r.error).toBeUndefined();
    const release = gh.state.releases.find((x) => x.tag_name === 'v9.9.9');
    expect(
      gh.state.assets
        .filter((a) => a.releaseId === release?.id)
        .map((a) => a.name)
        .sort(),
    ).toEqual(['build-manifest.json', 'svc.tar.gz']);
    const asset = gh.state.assets.find((a) => a.name === 'svc.tar.gz');
    expect(
      `sha256:${createHash('sha256')
        .update(asset?.data as Buffer)
        .digest('hex')}`,
    ).toBe(r.outputs.digest);
  });

  it('caches dependencies keyed on the lock file: a miss saves, the next run restores', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'npm-cache-'));
    const install = `node -e "require('fs').mkdirSync(process.env.npm_config_cache,{recursive:true});require('fs').writeFileSync(process.env.npm_config_cache+'/pkg.tgz','deps')"`;
    const inputs = {
      command: 'node build.mjs 1',
      outputs: 'out/**',
      cache: 'npm',
      'install-command': install,
      upload: 'false',
    };
    const first = project();
    writeFileSync(join(first, 'package-lock.json'), '{"lockfileVersion":3}');
    const miss = await build(first, inputs, { env: { npm_config_cache: cacheDir } });
    expect(miss.error).toBeUndefined();
    expect(miss.stdout).toMatch(/Dependency cache miss: rollgate-build-Linux-npm-[0-9a-f]{32}/);
    expect(artifacts.caches.filter((c) => c.finalized)).toHaveLength(1);

    // A fresh runner: same cache folder (the cache version hashes the path), empty.
    rmSync(cacheDir, { recursive: true, force: true });
    const restored = cacheDir;
    const second = project();
    writeFileSync(join(second, 'package-lock.json'), '{"lockfileVersion":3}');
    const check = `node -e "process.exit(require('fs').readFileSync(process.env.npm_config_cache+'/pkg.tgz','utf8')==='deps'?0:1)"`;
    const hit = await build(second, { ...inputs, 'install-command': check }, { env: { npm_config_cache: restored } });
    expect(hit.error).toBeUndefined();
    expect(hit.stdout).toMatch(/Dependency cache hit: rollgate-build-Linux-npm-/);
  });

  it.each([
    ['pip', 'PIP_CACHE_DIR', 'requirements.txt', 'flask==3.0.0\n'],
    ['uv', 'UV_CACHE_DIR', 'uv.lock', 'version = 1\n'],
    ['poetry', 'POETRY_CACHE_DIR', 'poetry.lock', '[metadata]\n'],
  ])('caches %s downloads in the folder %s names, keyed on %s', async (pm, variable, lock, text) => {
    const cacheDir = mkdtempSync(join(tmpdir(), `${pm}-cache-`));
    const file = `process.env.${variable}+'/wheel.whl'`;
    const inputs = {
      command: 'node build.mjs 1',
      outputs: 'out/**',
      cache: pm,
      'install-command': `node -e "require('fs').writeFileSync(${file},'deps')"`,
      upload: 'false',
    };
    const first = project();
    writeFileSync(join(first, lock), text);
    const miss = await build(first, inputs, { env: { [variable]: cacheDir } });
    expect(miss.error).toBeUndefined();
    expect(miss.stdout).toMatch(new RegExp(`Dependency cache miss: rollgate-build-Linux-${pm}-[0-9a-f]{32}`));
    rmSync(cacheDir, { recursive: true, force: true });
    const second = project();
    writeFileSync(join(second, lock), text);
    const check = `node -e "process.exit(require('fs').readFileSync(${file},'utf8')==='deps'?0:1)"`;
    const hit = await build(second, { ...inputs, 'install-command': check }, { env: { [variable]: cacheDir } });
    expect(hit.error).toBeUndefined();
    expect(hit.stdout).toMatch(new RegExp(`Dependency cache hit: rollgate-build-Linux-${pm}-`));
  });

  describe('bad input: one clear error, nothing uploaded', () => {
    it.each([
      [
        { command: 'node -e process.exit(3)', outputs: 'out/**' },
        /^Build failed: 'node -e process.exit\(3\)' exited with code 3/,
      ],
      [{ command: 'no-such-compiler --release', outputs: 'out/**' }, /^Command not found: 'no-such-compiler'/],
      [
        { command: 'node build.mjs 1', outputs: 'nothing/**' },
        /^Input 'outputs': expected patterns that match at least one file after the build/,
      ],
      [
        { command: 'node build.mjs 1', outputs: 'out/**', cache: 'maven' },
        /^Input 'cache': expected one of npm, yarn, pnpm, pip, poetry, uv \(got "maven"\)/,
      ],
      [{ command: 'node build.mjs 1', outputs: 'out/**', cache: 'pnpm' }, /^cache: pnpm needs pnpm-lock.yaml/],
      [
        { command: 'node build.mjs 1', outputs: 'out/**', name: 'a/b' },
        /^Input 'name': expected an artifact name without/,
      ],
      [{ command: "node 'unterminated", outputs: 'out/**' }, /^Unterminated ' quote in command/],
      [
        { command: 'node build.mjs 1', outputs: 'out/**', 'release-tag': 'v0.0.404', upload: 'false' },
        /^No GitHub release with tag 'v0.0.404'/,
      ],
    ])('%j', async (inputs, message) => {
      const ws = project();
      const before = artifacts.store.artifacts.length;
      const r = await build(ws, inputs);
      expect(r.exitCode).toBe(1);
      expect(r.error).toMatch(message);
      expect(artifacts.store.artifacts.length).toBe(before);
    });
  });
});
