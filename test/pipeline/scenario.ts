/**
 * The whole road, run by the local workflow runner: pipeline.yml twice (v0.1.0 goes live, then
 * v0.1.1 through a canary over real nginx and Prometheus; a feature before 1.0.0 bumps the
 * patch), rollback.yml back to v0.1.0 from its original artifact, then pipeline.yml with
 * canary-mode start (v0.1.2 pauses at its first step) and promote.yml through the manual gate.
 * Used by the pipeline test and by `npm run demo`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
  startNginx,
  startPrometheus,
  type LoadStats,
  type WorkflowResult,
} from '@rollgate/testbed';
import { METRICS } from '../canary/stack.js';


const DEPLOY = join(REPO_ROOT, 'test', 'pipeline', 'deploy.mjs');
const PIDS = join(tmpdir(), 'rollgate-deploys');

export interface ScenarioResult {
  first: WorkflowResult;
  second: WorkflowResult;
  rollback: WorkflowResult;
  third: WorkflowResult;
  promote: WorkflowResult;
  gh: GitHubEmulator;
  remote: string;
  upstreamAfterSecond: string;
  upstreamAfterRollback: string;
  servedAfterSecond: Record<string, number>;
  servedAfterRollback: Record<string, number>;
  upstreamWhilePaused: string;
  upstreamAfterPromote: string;
  servedAfterPromote: Record<string, number>;
  load: LoadStats;
  addresses: { first: string; second: string; restored: string; third: string };
}

function project(remote: string): string {
  const dir = seedRepository(remote, 'chore: project skeleton');
  copyFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), join(dir, 'server.mjs'));
  writeFileSync(join(dir, 'build.mjs'), "import { writeFileSync } from 'node:fs';\nwriteFileSync('build-info.json', JSON.stringify({ builtAt: new Date().toISOString() }) + '\\n');\n");
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'test', 'server.test.mjs'), "import { it } from 'node:test';\nimport assert from 'node:assert';\nit('has a server', async () => assert.ok((await import('node:fs')).existsSync('server.mjs')));\n");
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
export function stopDeployed(): void {
  if (!existsSync(PIDS)) return;
  for (const f of readdirSync(PIDS)) {
    try {
      process.kill(Number(readFileSync(join(PIDS, f), 'utf8')), 'SIGTERM');
    } catch {
      /* already gone */
    }
    rmSync(join(PIDS, f), { force: true });
  }
}

export async function runScenario(log: (line: string) => void): Promise<ScenarioResult> {
  const [a, b, c, d] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const addresses = { first: `127.0.0.1:${a}`, second: `127.0.0.1:${b}`, restored: `127.0.0.1:${c}`, third: `127.0.0.1:${d}` };
  const remote = createRemote();
  const work = project(remote);
  const gh = await GitHubEmulator.start({ remote });
  const artifacts = await ArtifactService.start();
  gh.useArtifacts(artifacts);
  const nginx = await startNginx(`upstream app {\n    server ${addresses.first};\n}\n`);
  const prometheus = await startPrometheus(Object.values(addresses));
  let load: ReturnType<typeof startLoad> | undefined;
  log(`stack: nginx ${nginx.address}, Prometheus ${prometheus.url}, GitHub API emulator ${gh.url}`);
  const runner = new WorkflowRunner({
    remote,
    repository: gh.repository,
    sha: git(work, ['rev-parse', 'HEAD']),
    apiUrl: gh.url,
    token: 'ghs_pipeline_token',
    runtime: (id) => artifacts.env(id),
    vars: {
      DEPLOY_COMMAND: `node ${DEPLOY}`,
      STABLE_ADDRESS: addresses.restored,
      TRAFFIC_PROVIDER: 'nginx',
      NGINX_UPSTREAM_FILE: nginx.upstreamFile,
      NGINX_TEST_COMMAND: nginx.testCommand.join(' '),
      NGINX_RELOAD_COMMAND: nginx.reloadCommand.join(' '),
      CANARY_METRICS: METRICS,
      PROMETHEUS_URL: prometheus.url,
    },
    log,
  });
  const pipeline = (canary: string, stable: string, mode = 'run') =>
    runner.run({
      file: '.github/workflows/pipeline.yml',
      event: 'workflow_call',
      inputs: {
        'build-command': 'node build.mjs',
        outputs: 'server.mjs\nbuild-info.json',
        'test-command': 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml test/',
        reports: 'reports/*.xml',
        environment: 'production',
        'canary-mode': mode,
        steps: '25,100',
        interval: '8s',
        metrics: METRICS,
        'prometheus-url': prometheus.url,
        'traffic-provider': 'nginx',
        'nginx-upstream-file': nginx.upstreamFile,
        'nginx-test-command': nginx.testCommand.join(' '),
        'nginx-reload-command': nginx.reloadCommand.join(' '),
        'deploy-command': `node ${DEPLOY}`,
        'canary-address': canary,
        'stable-address': stable,
      },
    });
  try {
    const first = await pipeline(addresses.first, '');
    // Users arrive once the first version is live; from here on no request may fail.
    load = startLoad(`http://${nginx.address}/`, 30, 300_000);
    commit(work, 'feat: answer faster');
    git(work, ['push', '-q', 'origin', 'main']);
    (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
    const second = await pipeline(addresses.second, addresses.first);
    const upstreamAfterSecond = readFileSync(nginx.upstreamFile, 'utf8');
    const servedAfterSecond = await sample(`http://${nginx.address}/`, 1500);
    const rollback = await runner.run({ file: '.github/workflows/rollback.yml', event: 'workflow_dispatch', inputs: { environment: 'production' } });
    const upstreamAfterRollback = readFileSync(nginx.upstreamFile, 'utf8');
    const servedAfterRollback = await sample(`http://${nginx.address}/`, 1500);
    commit(work, 'fix: close idle connections');
    git(work, ['push', '-q', 'origin', 'main']);
    (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
    const third = await pipeline(addresses.third, addresses.restored, 'start');
    const upstreamWhilePaused = readFileSync(nginx.upstreamFile, 'utf8');
    const promote = await runner.run({ file: '.github/workflows/promote.yml', event: 'workflow_dispatch', inputs: { environment: 'production', version: '0.1.2', action: 'promote' } });
    const upstreamAfterPromote = readFileSync(nginx.upstreamFile, 'utf8');
    const servedAfterPromote = await sample(`http://${nginx.address}/`, 1500);
    return {
      first,
      second,
      rollback,
      third,
      promote,
      gh,
      remote,
      upstreamAfterSecond,
      upstreamAfterRollback,
      servedAfterSecond,
      servedAfterRollback,
      upstreamWhilePaused,
      upstreamAfterPromote,
      servedAfterPromote,
      load: await load.stop(),
      addresses,
    };
  } finally {
    await load?.stop();
    stopDeployed();
    await Promise.all([nginx.stop(), prometheus.stop(), artifacts.stop()]);
    await gh.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
