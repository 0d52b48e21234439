import { describe, expect, it } from '@jest/globals';
import { firstFailure, git } from '@rollgate/testbed';
import { runScenario, type ScenarioResult } from '../../roads/pipeline/scenario.js';
import { nginxWeights } from '../../roads/pipeline/serving.js';

async function run(provider: 'nginx' | 'command'): Promise<ScenarioResult> {
  const lines: string[] = [];
  const r = await runScenario((l) => lines.push(l), provider);
  if (process.env.SHOW_LOG) console.log(lines.join('\n'));
  // Each run's conclusion, and where a failed one failed: its first failing step, in the workflows it called.
  const runs = { first: r.first, second: r.second, rollback: r.rollback, third: r.third, promote: r.promote };
  const ended = Object.fromEntries(
    Object.entries(runs).map(([k, v]) => [k, { conclusion: v.conclusion, failure: firstFailure(v.jobs) }]),
  );
  const success = { conclusion: 'success', failure: undefined };
  expect(ended).toEqual({ first: success, second: success, rollback: success, third: success, promote: success });
  return r;
}

function expectTheWholeRoad(r: ScenarioResult): void {
  // A private repository where every job held only its workflow's grants, and needed no more.
  expect(r.gh.isPrivate).toBe(true);
  expect(r.gh.tokensIssued).toBeGreaterThan(10);
  expect(r.gh.denials).toEqual([]);
  // Within GitHub's rate limits: GITHUB_TOKEN's 1,000 an hour for the repository, 80 writes a minute.
  expect(r.gh.limits?.refused).toEqual([]);
  expect(r.gh.limits?.jobTokenUsed).toBeLessThan(1000);
  expect(r.first.outputs).toMatchObject({ version: '0.1.0', tag: 'v0.1.0' });
  expect(r.second.outputs).toMatchObject({ version: '0.1.1', tag: 'v0.1.1', 'canary-outcome': 'promoted' });
  // Tags and releases, with the build artifact attached.
  expect(git(r.remote, ['tag', '--list']).split('\n').sort()).toEqual(['v0', 'v0.1', 'v0.1.0', 'v0.1.1', 'v0.1.2']);
  expect(git(r.remote, ['rev-list', '-n', '1', 'v0.1'])).toBe(git(r.remote, ['rev-list', '-n', '1', 'v0.1.2']));
  expect(r.gh.state.releases.map((x) => x.tag_name).sort()).toEqual(['v0.1.0', 'v0.1.1', 'v0.1.2']);
  expect(r.gh.state.assets.map((x) => x.name)).toEqual(
    expect.arrayContaining([expect.stringMatching(/\.tar\.gz$/), 'build-manifest.json']),
  );
  // Deployment statuses: the canary of 0.1.1 stepped and succeeded, then the rollback replaced it.
  const byVersion = (v: string) =>
    r.gh.state.deployments.filter((d) => (d.payload as { version: string }).version === v);
  const statusesOf = (id?: number) =>
    r.gh.state.statuses.filter((s) => s.deploymentId === id).sort((x, y) => x.id - y.id);
  const canary2 = byVersion('0.1.1')[0];
  expect(statusesOf(canary2?.id).map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'success', 'inactive']);
  const restored = byVersion('0.1.0').find((d) => (d.payload as { kind?: string }).kind === 'rollback');
  expect(restored?.payload).toMatchObject({ rollback_of: { version: '0.1.1', deployment_id: canary2?.id } });
  // Which version gets the traffic, by the router's config and by the answers users get.
  const { second, restored: back, third } = r.addresses;
  expect(r.weightsAfterSecond).toEqual({ [second]: { role: 'canary', version: '0.1.1', weight: 100 } });
  expect(Object.keys(r.servedAfterSecond)).toEqual(['0.1.1']);
  expect(r.weightsAfterRollback).toEqual({ [back]: { role: 'stable', version: '0.1.0', weight: 100 } });
  expect(Object.keys(r.servedAfterRollback)).toEqual(['0.1.0']);
  // The third version paused at its first step for the manual gate, then promote.yml finished it
  // with the steps and interval the canary started with.
  expect(r.third.outputs).toMatchObject({ version: '0.1.2', 'canary-outcome': 'paused' });
  expect(r.weightsWhilePaused).toEqual({
    [back]: { role: 'stable', version: '0.1.0', weight: 75 },
    [third]: { role: 'canary', version: '0.1.2', weight: 25 },
  });
  expect(r.dryRun.jobs.gate).toMatchObject({ conclusion: 'success', outputs: { outcome: 'dry-run', weight: '25' } });
  expect(r.dryRunChanged).toBe(false);
  expect(statusesOf(byVersion('0.1.2')[0]?.id).map((s) => `${s.state}: ${s.description}`)).toEqual([
    'in_progress: canary 0%: starting (0.1.2 vs 0.1.0)',
    expect.stringMatching(/^in_progress: canary 25%: 0\.1\.2 vs 0\.1\.0/),
    'in_progress: paused at 25%: waiting for promote or abort',
    'success: promoted: 0.1.2 at 100%',
  ]);
  expect(r.weightsAfterPromote).toEqual({ [third]: { role: 'canary', version: '0.1.2', weight: 100 } });
  expect(Object.keys(r.servedAfterPromote)).toEqual(['0.1.2']);
  expect(r.load.failures).toEqual([]);
  expect(r.gh.violations).toEqual([]);
}

describe('pipeline.yml, rollback.yml and promote.yml, through the local workflow runner', () => {
  it('over nginx and Prometheus: two versions canaried, a rollback from the artifact, a third gated by hand', async () => {
    expectTheWholeRoad(await run('nginx'));
  }, 240_000);

  it('over examples/router with the command traffic provider and http checks (the demo without nginx)', async () => {
    expectTheWholeRoad(await run('command'));
  }, 240_000);

  it('reads the upstream include the nginx provider writes', () => {
    const text =
      'upstream app {\n    server 127.0.0.1:1 weight=75; # stable 1.0.0\n    server 127.0.0.1:2 weight=25; # canary 1.1.0\n}\n';
    expect(nginxWeights(text)).toEqual({
      '127.0.0.1:1': { role: 'stable', version: '1.0.0', weight: 75 },
      '127.0.0.1:2': { role: 'canary', version: '1.1.0', weight: 25 },
    });
    expect(nginxWeights('upstream app {\n    server 127.0.0.1:3;\n}\n')).toEqual({
      '127.0.0.1:3': { role: 'initial', version: '', weight: 100 },
    });
  });
});
