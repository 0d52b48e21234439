/**
 * User commands (build, test, deploy, traffic) never see the action's inputs (its tokens among
 * them) or the runner's service credentials. The runner itself keeps ACTIONS_RUNTIME_TOKEN and
 * ACTIONS_RESULTS_URL from `run:` steps: they reach the cache and artifact services.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, GitHubEmulator, createRemote, git, runAction, seedRepository } from '@rollgate/testbed';

const DUMP = "require('node:fs').writeFileSync(process.argv[1], JSON.stringify(process.env))";
const FORBIDDEN = /^(INPUT_|ACTIONS_RUNTIME_TOKEN$|ACTIONS_RESULTS_URL$|ACTIONS_ID_TOKEN_REQUEST_|ACTIONS_CACHE_URL$)/i;
const TOKEN = 'ghs_secret_token_must_not_leak_0123';

let artifacts: ArtifactService;
let gh: GitHubEmulator;
beforeAll(async () => {
  artifacts = await ArtifactService.start();
  gh = (await GitHubEmulator.start({ remote: createRemote() })).useArtifacts(artifacts);
});
afterAll(async () => {
  await artifacts.stop();
  await gh.stop();
});

/** The build action in `ws`, as run `runId` of this repository. */
const build = (ws: string, runId: number, inputs: Record<string, string>) =>
  runAction({
    action: 'build',
    workspace: ws,
    runId,
    sha: git(ws, ['rev-parse', 'HEAD']),
    repository: gh.repository,
    apiUrl: gh.url,
    token: TOKEN,
    ...artifacts.env(runId),
    inputs,
  });

const leaked = (file: string) => {
  const env = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return {
    names: Object.keys(env).filter((k) => FORBIDDEN.test(k)),
    values: Object.values(env).filter((v) => v.includes(TOKEN)),
  };
};

describe('least environment for user commands', () => {
  it('the test command gets no inputs and no runner credentials', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'least-env-'));
    writeFileSync(join(ws, 'r.xml'), '<testsuite><testcase name="a"/></testsuite>');
    const out = join(ws, 'env.json');
    const r = await runAction({
      action: 'test',
      workspace: ws,
      ...artifacts.env(5),
      env: { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-secret', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc' },
      inputs: { command: `node -e "${DUMP}" ${out}`, reports: 'r.xml', 'github-token': TOKEN },
    });
    expect(r.exitCode).toBe(0);
    expect(leaked(out)).toEqual({ names: [], values: [] });
  });

  it('the build and install commands get no inputs and no runner credentials', async () => {
    const ws = seedRepository(createRemote(), 'feat: service');
    const out = join(ws, 'env.json');
    const r = await build(ws, 9, {
      command: `node -e "${DUMP}" ${out}`,
      outputs: 'env.json',
      name: 'b',
      version: '1.0.0',
      'github-token': TOKEN,
    });
    expect(r.error).toBeUndefined();
    expect(leaked(out)).toEqual({ names: [], values: [] });
  });
});

describe('build outputs', () => {
  it('refuses a link among the outputs that points outside the workspace, before anything is uploaded', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key=abc');
    const ws = seedRepository(createRemote(), 'feat: service');
    const script =
      "const fs=require('node:fs');fs.mkdirSync('out',{recursive:true});fs.writeFileSync('out/app.js','1');fs.symlinkSync(process.argv[1],'out/creds')";
    const r = await build(ws, 11, {
      command: `node -e "${script}" ${join(outside, 'credentials')}`,
      outputs: 'out/**',
      name: 'linked',
      version: '1.0.0',
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Output out\/creds resolves to .*credentials, outside the workspace: refused/);
    expect(artifacts.store.forRun(11)).toEqual([]);
  });
});
