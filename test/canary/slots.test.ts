/**
 * Slots, through the canary and rollback bundles over a real nginx: two addresses (blue and
 * green) the sample deploy command starts the service at. Each new version goes into the slot
 * that serves nothing; an address that serves the live release is refused before anything is
 * written or deployed, and the live release keeps answering through every delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GitHubEmulator,
  REPO_ROOT,
  createRemote,
  freePort,
  git,
  runAction,
  seedRepository,
  startLoad,
  startNginx,
  type Nginx,
} from '@rollgate/testbed';
import { publishRelease, type Published } from '../../roads/lib/releases.js';

let gh: GitHubEmulator;
let nginx: Nginx;
let sha: string;
let pids: string;
const releases: Record<string, Published> = {};
const slots: Record<'blue' | 'green', string> = { blue: '', green: '' };
let runIds = 8800;
/** Answers every check with no errors. */
const stats = { url: '', server: createServer((_req, res) => res.end('{"errors": 0}')) };
const environment = 'production';

beforeAll(async () => {
  const remote = createRemote();
  const seedDir = seedRepository(remote);
  sha = git(seedDir, ['rev-parse', 'HEAD']);
  gh = await GitHubEmulator.start({ remote });
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) releases[v] = publishRelease(gh, seedDir, v);
  slots.blue = `127.0.0.1:${await freePort()}`;
  slots.green = `127.0.0.1:${await freePort()}`;
  pids = mkdtempSync(join(tmpdir(), 'slots-pids-'));
  // Before the first release nginx routes to an address nothing serves (docs: "The upstream file").
  nginx = await startNginx('upstream app {\n    server 127.0.0.1:9;\n}\n');
  await new Promise<void>((ok) => stats.server.listen(0, '127.0.0.1', ok));
  stats.url = `http://127.0.0.1:${(stats.server.address() as AddressInfo).port}/stats`;
}, 60_000);

afterAll(async () => {
  for (const address of Object.values(slots)) {
    try {
      process.kill(Number(readFileSync(join(pids, `${address.split(':')[1]}.pid`), 'utf8')));
    } catch {
      // not started, or gone
    }
  }
  await nginx?.stop();
  await gh?.stop();
  stats.server.closeAllConnections();
  stats.server.close();
});

const deployCommand = () =>
  [process.execPath, join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs'), `--pids=${pids}`].join(' ');
const nginxInputs = () => ({
  'traffic-provider': 'nginx',
  'nginx-upstream-file': nginx.upstreamFile,
  'nginx-test-command': nginx.testCommand.join(' '),
  'nginx-reload-command': nginx.reloadCommand.join(' '),
});
const slotList = () => `blue=${slots.blue}\ngreen=${slots.green}`;

/** Runs an action's bundle as a pipeline run on main (registered, then finished). */
function run(action: string, inputs: Record<string, string>) {
  const runId = ++runIds;
  gh.startRun({ id: runId, head_sha: sha });
  return runAction({
    action,
    repository: gh.repository,
    sha,
    apiUrl: gh.url,
    token: `ghs_${action}`,
    runId,
    inputs: { environment, ...nginxInputs(), 'deploy-command': deployCommand(), ...inputs },
  }).finally(() => gh.finishRun(runId));
}

function canary(version: string, inputs: Record<string, string> = {}) {
  const r = releases[version] as Published;
  return run('canary', {
    version,
    'artifact-name': r.name,
    'artifact-digest': r.digest,
    'release-tag': `v${version}`,
    'skip-analysis': 'true',
    // A healthy reading (an http check on the test's stats server) for the steps that are judged.
    metrics: `- name: errors\n  provider: http\n  query: ${stats.url}\n  path: $.errors\n  max: 1\n`,
    interval: '2s',
    samples: '2',
    steps: '100',
    slots: slotList(),
    ...inputs,
  });
}

const answers = async (address: string) =>
  ((await (await fetch(`http://${address}/`)).json()) as { version: string }).version;
const upstream = () => readFileSync(nginx.upstreamFile, 'utf8');
const record = (id: string | undefined) => gh.state.deployments.find((d) => d.id === Number(id));

describe('slots (canary and rollback bundles, nginx, the sample deploy command)', () => {
  it('puts each new version into the slot that serves nothing, and never deploys over the live one', async () => {
    // The first release: nothing is live, so it goes into the first slot.
    const first = await canary('1.0.0');
    expect(first.error).toBeUndefined();
    expect(record(first.outputs['deployment-id'])?.payload).toMatchObject({ slot: 'blue', address: slots.blue });
    expect(upstream()).toContain(`server ${slots.blue} weight=100;`);

    const load = startLoad(`http://${nginx.address}/`, 40, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    // 1.1.0 goes into green while blue keeps serving 1.0.0.
    const second = await canary('1.1.0');
    expect(second.error).toBeUndefined();
    expect(record(second.outputs['deployment-id'])?.payload).toMatchObject({ slot: 'green', address: slots.green });
    expect(second.stdout).toContain(`The canary of 1.1.0 goes into slot green (${slots.green}).`);

    // 1.2.0 started at its gate goes into blue (1.0.0 there serves nothing now), then is aborted:
    // green, the live slot, was never touched.
    const greenPid = readFileSync(join(pids, `${slots.green.split(':')[1]}.pid`), 'utf8');
    const third = await canary('1.2.0', { mode: 'start', steps: '50,100' });
    expect(third.error).toBeUndefined();
    expect(record(third.outputs['deployment-id'])?.payload).toMatchObject({ slot: 'blue', address: slots.blue });
    expect(await answers(slots.blue)).toBe('1.2.0');
    const abort = await run('canary', { version: '1.2.0', mode: 'abort', 'deploy-command': '' });
    expect(abort.error).toBeUndefined();
    // What the abort says was read back: nginx's upstream and the version green reports.
    expect(abort.stdout).toContain(
      `traffic back on 1.1.0 (read back: nginx routes 100% to ${slots.green}; ${slots.green} reports 1.1.0)`,
    );
    expect(await answers(slots.green)).toBe('1.1.0');
    expect(readFileSync(join(pids, `${slots.green.split(':')[1]}.pid`), 'utf8')).toBe(greenPid);
    expect(upstream()).toContain(`server ${slots.green} weight=100;`);
    expect(upstream()).not.toContain(slots.blue);
    const stats = await load.stop();
    expect(stats.sent).toBeGreaterThan(100);
    expect(stats.failures).toEqual([]);
  }, 240_000);

  it('refuses an address that serves the live release before writing or deploying anything', async () => {
    const before = gh.state.deployments.length;
    const greenPid = readFileSync(join(pids, `${slots.green.split(':')[1]}.pid`), 'utf8');
    const onLive = await canary('1.2.0', { slots: '', 'canary-address': slots.green });
    expect(onLive.exitCode).toBe(1);
    expect(onLive.error).toMatch(
      new RegExp(
        `^Input 'canary-address': expected an address that serves nothing now, but ${slots.green} serves the live release 1\\.1\\.0 \\(deployment \\d+\\)`,
      ),
    );
    const both = await canary('1.2.0', { 'canary-address': slots.blue });
    expect(both.error).toMatch(/^Input 'canary-address': expected to be empty with slots/);
    const rollbackOnLive = await run('rollback', { 'to-version': '1.0.0', 'target-address': slots.green });
    expect(rollbackOnLive.error).toMatch(
      new RegExp(`^Input 'target-address': expected an address that serves nothing now, but ${slots.green} serves`),
    );
    expect(gh.state.deployments.length).toBe(before);
    expect(readFileSync(join(pids, `${slots.green.split(':')[1]}.pid`), 'utf8')).toBe(greenPid);
    expect(await answers(slots.green)).toBe('1.1.0');
  }, 120_000);

  it('rolls back into the free slot, and the next canary goes into the other one', async () => {
    const r = await run('rollback', {
      'to-version': '1.0.0',
      slots: slotList(),
      'entry-url': `http://${nginx.address}/`,
    });
    expect(r.error).toBeUndefined();
    // Read back through nginx as well: requests users would send.
    expect(r.stdout).toContain(
      `${slots.blue} reports 1.0.0, through http://${nginx.address}/: 10 of 10 answers report 1.0.0)`,
    );
    expect(record(r.outputs['deployment-id'])?.payload).toMatchObject({
      version: '1.0.0',
      kind: 'rollback',
      slot: 'blue',
      address: slots.blue,
    });
    expect(await answers(slots.blue)).toBe('1.0.0');
    expect(upstream()).toContain(`server ${slots.blue} weight=100;`);
    expect(upstream()).not.toContain(slots.green);
    // Live is blue now: 1.2.0 goes into green.
    const next = await canary('1.2.0', { mode: 'start', steps: '50,100', 'dry-run': 'true' });
    expect(next.stdout).toContain(`Dry run: the canary would go into slot green (${slots.green}).`);
  }, 120_000);

  it('never says traffic is back on a release the address no longer runs: the record ends as error', async () => {
    // Live: 1.0.0 in blue (the rollback above). A canary of 1.2.0 waits at its gate in green.
    const started = await canary('1.2.0', { mode: 'start', steps: '50,100' });
    expect(started.error).toBeUndefined();
    // Someone redeploys blue by hand with 1.1.0: blue no longer runs the live release.
    execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs'),
        `--pids=${pids}`,
        '1.1.0',
        releases['1.1.0']?.dir as string,
      ],
      {
        env: { ...process.env, ROLLGATE_ADDRESS: slots.blue },
        stdio: 'ignore',
      },
    );
    const abort = await run('canary', { version: '1.2.0', mode: 'abort', 'deploy-command': '' });
    expect(abort.exitCode).toBe(1);
    expect(abort.error).toMatch(
      new RegExp(`^Traffic read back wrong: ${slots.blue} reports 1\\.1\\.0, not 1\\.0\\.0\\.`),
    );
    const id = Number(started.outputs['deployment-id']);
    const last = gh.state.statuses.filter((x) => x.deploymentId === id).at(-1);
    expect(last).toMatchObject({ state: 'error' });
    expect(last?.description).toMatch(/read back wrong/);
  }, 120_000);

  it('an nginx that did not load what it was given is caught through the entry URL: the record ends as error', async () => {
    // nginx routes blue (1.1.0 by hand, above). A reload that does nothing: the upstream file
    // says green, the address reports the new version, only requests through nginx tell.
    const r = await canary('1.2.0', {
      'nginx-reload-command': 'true',
      'entry-url': `http://${nginx.address}/`,
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      new RegExp(
        `^Traffic read back wrong: through http://${nginx.address.replace(/\./g, '\\.')}/, 10 of 10 answers report 1\\.1\\.0, not 1\\.2\\.0\\.`,
      ),
    );
    // Its record never says success: it ends as error, naming what was read.
    const id = gh.state.deployments.filter((d) => (d.payload as { version?: string }).version === '1.2.0').at(-1)?.id;
    const last = gh.state.statuses.filter((x) => x.deploymentId === id).at(-1);
    expect(last).toMatchObject({ state: 'error' });
    expect(last?.description).toMatch(/read back wrong/);
  }, 120_000);
});
