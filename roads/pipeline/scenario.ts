/**
 * The whole road, run by the local workflow runner: pipeline.yml twice (v0.1.0 goes live, then
 * v0.1.1 through a canary; a feature before 1.0.0 bumps the patch), rollback.yml back to v0.1.0
 * from its original artifact, then pipeline.yml with canary-mode start (v0.1.2 pauses at its
 * first step) and promote.yml through the manual gate. Served by nginx and judged on
 * Prometheus, or by examples/router and judged on its http stats (see serving.ts).
 * Used by the pipeline test and by `npm run demo`.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ArtifactService,
  GitHubEmulator,
  REPO_ROOT,
  WorkflowRunner,
  commit,
  createRemote,
  freePort,
  git,
  seedRepository,
  startLoad,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { startServing, type Provider, type Serving, type Weights } from './serving.js';

/** The sample deploy program (examples/deploy): starts a release's server.mjs where ROLLGATE_ADDRESS says. */
export const DEPLOY = join(REPO_ROOT, 'examples', 'deploy', 'deploy.mjs');
/** A pid folder per scenario: tests running at once stop only what they deployed. */
export function deployCommand(): { command: string; pids: string } {
  const pids = mkdtempSync(join(tmpdir(), 'rollgate-deploys-'));
  return { command: `node ${DEPLOY} --pids=${pids}`, pids };
}

/**
 * What every road starts with: a deploy command with its own pid folder, a remote holding the
 * project (or what `repository` writes), a private GitHub emulator (each job holding only what
 * its permissions grant) with the artifact service.
 */
export async function openRoad(repository: (remote: string) => string = (r) => project(r)) {
  const deploy = deployCommand();
  const remote = createRemote();
  const work = repository(remote);
  const gh = await GitHubEmulator.start({ remote, private: true });
  const artifacts = await ArtifactService.start();
  gh.useArtifacts(artifacts);
  return { deploy, remote, work, gh, artifacts };
}

export interface ScenarioResult {
  first: WorkflowResult;
  second: WorkflowResult;
  rollback: WorkflowResult;
  third: WorkflowResult;
  /** promote.yml with dry-run: true while v0.1.2 is paused; whether it changed weights or statuses. */
  dryRun: WorkflowResult;
  dryRunChanged: boolean;
  promote: WorkflowResult;
  gh: GitHubEmulator;
  remote: string;
  provider: Provider;
  weightsAfterSecond: Weights;
  weightsAfterRollback: Weights;
  servedAfterSecond: Record<string, number>;
  servedAfterRollback: Record<string, number>;
  weightsWhilePaused: Weights;
  weightsAfterPromote: Weights;
  servedAfterPromote: Record<string, number>;
  load: LoadStats;
  addresses: { first: string; second: string; restored: string; third: string };
}

export function project(remote: string): string {
  const dir = seedRepository(remote, 'chore: project skeleton');
  copyFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), join(dir, 'server.mjs'));
  writeFileSync(
    join(dir, 'build.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync('build-info.json', JSON.stringify({ builtAt: new Date().toISOString() }) + '\\n');\n",
  );
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(
    join(dir, 'test', 'server.test.mjs'),
    "import { it } from 'node:test';\nimport assert from 'node:assert';\nit('has a server', async () => assert.ok((await import('node:fs')).existsSync('server.mjs')));\n",
  );
  mkdirSync(join(dir, 'reports'));
  writeFileSync(join(dir, 'reports', '.gitkeep'), '');
  commit(dir, 'feat: the service answers with its version');
  git(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

async function sample(url: string, ms: number): Promise<Record<string, number>> {
  const load = startLoad(url, 40, ms + 1000);
  await new Promise((r) => setTimeout(r, ms));
  return (await load.stop()).byVersion;
}

/** Stops the services the deploy command started. */
export function stopDeployed(pids: string): void {
  if (!existsSync(pids)) return;
  for (const f of readdirSync(pids)) {
    try {
      process.kill(Number(readFileSync(join(pids, f), 'utf8')), 'SIGTERM');
    } catch {
      /* already gone */
    }
    rmSync(join(pids, f), { force: true });
  }
}

export async function runScenario(log: (line: string) => void, provider: Provider = 'nginx'): Promise<ScenarioResult> {
  const [a, b, c, d] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const addresses = {
    first: `127.0.0.1:${a}`,
    second: `127.0.0.1:${b}`,
    restored: `127.0.0.1:${c}`,
    third: `127.0.0.1:${d}`,
  };
  const { deploy, remote, work, gh, artifacts } = await openRoad();
  const serving = await startServing(provider, addresses.first, Object.values(addresses));
  let load: ReturnType<typeof startLoad> | undefined;
  log(`stack: ${serving.describe}, GitHub API emulator ${gh.url}`);
  const runner = roadRunner({
    remote,
    gh,
    artifacts,
    work,
    log,
    vars: { DEPLOY_COMMAND: deploy.command, STABLE_ADDRESS: addresses.restored, ...serving.vars },
  });
  const pipeline = (canary: string, stable: string, mode = 'run') =>
    runner.run({
      file: '.github/workflows/pipeline.yml',
      event: 'workflow_call',
      inputs: { ...pipelineInputs(serving, deploy.command, canary, stable), 'canary-mode': mode },
    });
  try {
    const first = await pipeline(addresses.first, '');
    // Users arrive once the first version is live; from here on no request may fail.
    load = startLoad(`http://${serving.address}/`, 30, 300_000);
    commit(work, 'feat: answer faster');
    git(work, ['push', '-q', 'origin', 'main']);
    (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
    const second = await pipeline(addresses.second, addresses.first);
    const weightsAfterSecond = serving.weights();
    const servedAfterSecond = await sample(`http://${serving.address}/`, 1500);
    const rollback = await runner.run({
      file: '.github/workflows/rollback.yml',
      event: 'workflow_dispatch',
      inputs: { environment: 'production' },
    });
    const weightsAfterRollback = serving.weights();
    const servedAfterRollback = await sample(`http://${serving.address}/`, 1500);
    commit(work, 'fix: close idle connections');
    git(work, ['push', '-q', 'origin', 'main']);
    (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
    const third = await pipeline(addresses.third, addresses.restored, 'start');
    const weightsWhilePaused = serving.weights();
    const statusesBeforeDryRun = gh.state.statuses.length;
    const dryRun = await runner.run({
      file: '.github/workflows/promote.yml',
      event: 'workflow_dispatch',
      inputs: { environment: 'production', version: '0.1.2', 'dry-run': 'true' },
    });
    const dryRunChanged =
      JSON.stringify(serving.weights()) !== JSON.stringify(weightsWhilePaused) ||
      gh.state.statuses.length !== statusesBeforeDryRun;
    const promote = await runner.run({
      file: '.github/workflows/promote.yml',
      event: 'workflow_dispatch',
      inputs: { environment: 'production', version: '0.1.2', action: 'promote' },
    });
    const weightsAfterPromote = serving.weights();
    const servedAfterPromote = await sample(`http://${serving.address}/`, 1500);
    return {
      first,
      second,
      rollback,
      third,
      dryRun,
      dryRunChanged,
      promote,
      gh,
      remote,
      provider,
      weightsAfterSecond,
      weightsAfterRollback,
      servedAfterSecond,
      servedAfterRollback,
      weightsWhilePaused,
      weightsAfterPromote,
      servedAfterPromote,
      load: await load.stop(),
      addresses,
    };
  } finally {
    await stopRoad({ load, pids: deploy.pids, serving, artifacts, gh, work });
  }
}

/**
 * The workflow runner of a road: the repository's runs registered with the emulator, each job
 * holding only what its permissions grant, artifacts through the artifact service.
 */
export function roadRunner(o: {
  remote: string;
  gh: GitHubEmulator;
  artifacts: ArtifactService;
  work: string;
  vars: Record<string, string>;
  log: (line: string) => void;
  repositories?: Record<string, string>;
}): WorkflowRunner {
  return new WorkflowRunner({
    remote: o.remote,
    repository: o.gh.repository,
    sha: git(o.work, ['rev-parse', 'HEAD']),
    apiUrl: o.gh.url,
    token: 'unused: each job gets its own',
    runtime: (id) => o.artifacts.env(id),
    runs: o.gh,
    tokens: o.gh,
    protection: o.gh.environments,
    vars: o.vars,
    log: o.log,
    ...(o.repositories ? { repositories: o.repositories } : {}),
  });
}

/** pipeline.yml's inputs for the sample project: two canary steps of 8 s, served by `serving`. */
export function pipelineInputs(
  serving: Serving,
  deployCommand: string,
  canary: string,
  stable: string,
): Record<string, string> {
  return {
    'build-command': 'node build.mjs',
    outputs: 'server.mjs\nbuild-info.json',
    'test-command': 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml test/',
    reports: 'reports/*.xml',
    environment: 'production',
    steps: '25,100',
    interval: '8s',
    ...serving.inputs,
    'deploy-command': deployCommand,
    // The suite's own road moves v0 and v0.1 too (an application's pipeline leaves them off).
    'floating-tags': 'true',
    'canary-address': canary,
    'stable-address': stable,
  };
}

/** Stops everything a road started: the load, the deployed services, the serving stack, the emulators, the work tree. */
export async function stopRoad(parts: {
  load?: { stop(): Promise<unknown> } | undefined;
  pids: string;
  serving: Serving;
  artifacts: ArtifactService;
  gh: GitHubEmulator;
  work: string;
}): Promise<void> {
  await parts.load?.stop();
  stopDeployed(parts.pids);
  await Promise.all([parts.serving.stop(), parts.artifacts.stop()]);
  await parts.gh.stop();
  rmSync(parts.work, { recursive: true, force: true });
}
