/**
 * A rollback dispatched while a canary is moving traffic, with another pipeline run queued
 * behind that canary, still runs. On GitHub a concurrency group holds one running and one
 * pending run and a newer pending one cancels the older (modelled by the local runner, see
 * packages/testbed/src/workflow/concurrency.ts): with one group for everything, the queued
 * pipeline run would cancel the pending rollback. Deliveries and operations are in separate
 * groups and wait for each other on the deployment records instead.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import {
  ArtifactService,
  GitHubEmulator,
  WorkflowRunner,
  commit,
  createRemote,
  freePort,
  git,
  startLoad,
  type WorkflowResult,
} from '@rollgate/testbed';
import { deployCommand, pipelineInputs, project, roadRunner, stopDeployed } from '../../roads/pipeline/scenario.js';
import { startServing, type Serving } from '../../roads/pipeline/serving.js';

let gh: GitHubEmulator;
let artifacts: ArtifactService;
let serving: Serving;
let work: string;
let runner: WorkflowRunner;
const lines: string[] = [];
const addresses: Record<string, string> = {};
const deploy = deployCommand();

beforeAll(async () => {
  for (const k of ['first', 'second', 'third', 'restored']) addresses[k] = `127.0.0.1:${await freePort()}`;
  const remote = createRemote();
  work = project(remote);
  gh = await GitHubEmulator.start({ remote });
  artifacts = await ArtifactService.start();
  gh.useArtifacts(artifacts);
  serving = await startServing('nginx', addresses.first as string, Object.values(addresses));
  runner = roadRunner({
    remote,
    gh,
    artifacts,
    work,
    log: (l) => lines.push(l),
    vars: { DEPLOY_COMMAND: deploy.command, STABLE_ADDRESS: addresses.restored as string, ...serving.vars },
  });
}, 60_000);

afterAll(async () => {
  stopDeployed(deploy.pids);
  await Promise.all([serving.stop(), artifacts.stop()]);
  const violations = gh.violations.splice(0);
  await gh.stop();
  rmSync(work, { recursive: true, force: true });
  expect(violations).toEqual([]);
});

const pipeline = (canary: string, stable: string, sha: string, over: Record<string, string> = {}) =>
  runner.run({
    file: '.github/workflows/pipeline.yml',
    event: 'workflow_call',
    sha,
    inputs: { ...pipelineInputs(serving, deploy.command, canary, stable), ...over },
  });

function push(message: string): string {
  commit(work, message);
  git(work, ['push', '-q', 'origin', 'main']);
  return git(work, ['rev-parse', 'HEAD']);
}

async function until(what: string, test: () => boolean, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('concurrency groups never drop a rollback', () => {
  it('runs a rollback dispatched during a canary, with another pipeline run queued behind it', async () => {
    const first = await pipeline(addresses.first as string, '', git(work, ['rev-parse', 'HEAD']));
    expect(first.conclusion).toBe('success');
    // Users arrive: the canaries are judged on their traffic.
    const load = startLoad(`http://${serving.address}/`, 30, 240_000);
    // 0.1.1 starts its canary (25% for 30 s, a wide margin for the third run to build, test and
    // release while it runs) ...
    const second = pipeline(addresses.second as string, '', push('feat: answer faster'), { interval: '30s' });
    const canaryOf = (v: string) =>
      gh.state.deployments.find(
        (d) =>
          (d.payload as { version?: string; kind?: string }).version === v &&
          (d.payload as { kind?: string }).kind === 'canary',
      );
    await until('the canary of 0.1.1 to move traffic', () => {
      const d = canaryOf('0.1.1');
      return !!d && gh.state.statuses.some((s) => s.deploymentId === d.id && s.description.startsWith('canary 25%'));
    });
    // ... an operator dispatches a rollback, and a third merge queues its own canary behind the running one.
    const rollback = runner.run({
      file: '.github/workflows/rollback.yml',
      event: 'workflow_dispatch',
      inputs: { environment: 'production' },
    });
    await until('the rollback job to start', () =>
      runner.groups.events.some((e) => /^rollback#\d+: running \(rollgate-operate-production\)$/.test(e)),
    );
    const third = pipeline(addresses.third as string, '', push('fix: close idle connections'));
    const results: WorkflowResult[] = await Promise.all([second, rollback, third]);
    const stats = await load.stop();
    const [r2, rb, r3] = results;
    if (process.env.SHOW_LOG) console.log(lines.join('\n'));
    expect({
      second: r2?.conclusion,
      rollback: rb?.conclusion,
      third: r3?.conclusion,
      log: lines.join('\n'),
    }).toMatchObject({ second: 'success', rollback: 'success', third: 'success' });
    // The third run's canary job really queued behind the second's, and nothing was cancelled.
    expect(runner.groups.events).toEqual(
      expect.arrayContaining([expect.stringMatching(/^canary#\d+: pending \(rollgate-deliver-production\)$/)]),
    );
    expect(runner.groups.events.filter((e) => e.includes('cancelled'))).toEqual([]);
    // The rollback waited for the canary of 0.1.1 to settle, then restored an earlier release.
    expect(lines.join('\n')).toMatch(/Waiting for the canary of 0\.1\.1 \(deployment \d+: canary 25%/);
    const succeeded = (id?: number) => gh.state.statuses.some((s) => s.deploymentId === id && s.state === 'success');
    const rollbackRecord = gh.state.deployments.find(
      (d) => (d.payload as { kind?: string }).kind === 'rollback' && succeeded(d.id),
    );
    expect(rollbackRecord).toBeDefined();
    // Never two rollouts at once. The rollback and the third canary were released together (when
    // 0.1.1 was promoted); whichever created its record first went on, and the other waited for it
    // (a record withdrawn in that race says so, and never moved traffic): either the canary of
    // 0.1.2 was judged against what the rollback restored, or the rollback planned from 0.1.2.
    const canary2 = canaryOf('0.1.1');
    expect(succeeded(canary2?.id)).toBe(true);
    expect((rollbackRecord?.id ?? 0) > (canary2?.id ?? 0)).toBe(true);
    const canary3 = gh.state.deployments.find(
      (d) => (d.payload as { version?: string }).version === '0.1.2' && succeeded(d.id),
    );
    const payload = (d: typeof canary3) =>
      d?.payload as { version?: string; stable?: string; rollback_of?: { version: string } };
    if ((canary3?.id ?? 0) > (rollbackRecord?.id ?? 0))
      expect(payload(canary3).stable).toBe(payload(rollbackRecord).version);
    else expect(payload(rollbackRecord).rollback_of?.version).toBe('0.1.2');
    for (const d of gh.state.deployments) {
      const states = gh.state.statuses.filter((s) => s.deploymentId === d.id);
      if (states.some((s) => /lost the start race|^withdrew/.test(s.description))) expect(states).toHaveLength(1);
    }
    expect(stats.failures).toEqual([]);
  }, 300_000);
});
