import { describe, expect, it } from '@jest/globals';
import { git } from '@rollgate/testbed';
import { runScenario } from './scenario.js';

describe('pipeline.yml, rollback.yml and promote.yml, through the local workflow runner', () => {
  it('builds, tests, releases and canaries two versions, rolls back to the first from its artifact, then gates a third by hand', async () => {
    const lines: string[] = [];
    const r = await runScenario((l) => lines.push(l));
    const log = lines.join('\n');
    const conclusions = { first: r.first.conclusion, second: r.second.conclusion, rollback: r.rollback.conclusion, third: r.third.conclusion, promote: r.promote.conclusion };
    expect({ ...conclusions, log }).toMatchObject({ first: 'success', second: 'success', rollback: 'success', third: 'success', promote: 'success' });
    expect(r.first.outputs).toMatchObject({ version: '0.1.0', tag: 'v0.1.0' });
    expect(r.second.outputs).toMatchObject({ version: '0.1.1', tag: 'v0.1.1' });
    // Tags and releases, with the build artifact attached.
    expect(git(r.remote, ['tag', '--list']).split('\n').sort()).toEqual(['v0', 'v0.1', 'v0.1.0', 'v0.1.1', 'v0.1.2']);
    expect(git(r.remote, ['rev-list', '-n', '1', 'v0.1'])).toBe(git(r.remote, ['rev-list', '-n', '1', 'v0.1.2']));
    const releases = r.gh.state.releases.map((x) => x.tag_name).sort();
    expect(releases).toEqual(['v0.1.0', 'v0.1.1', 'v0.1.2']);
    expect(r.gh.state.assets.map((x) => x.name)).toEqual(expect.arrayContaining([expect.stringMatching(/\.tar\.gz$/), 'build-manifest.json']));
    // Deployment statuses: the canary of 0.1.1 stepped and succeeded, then the rollback replaced it.
    const byVersion = (v: string) => r.gh.state.deployments.filter((d) => (d.payload as { version: string }).version === v);
    const canary020 = byVersion('0.1.1')[0];
    const states = r.gh.state.statuses.filter((s) => s.deploymentId === canary020?.id).sort((x, y) => x.id - y.id).map((s) => s.state);
    expect(states).toEqual(['in_progress', 'in_progress', 'success', 'inactive']);
    const restored = byVersion('0.1.0').find((d) => (d.payload as { kind?: string }).kind === 'rollback');
    expect(restored?.payload).toMatchObject({ rollback_of: { version: '0.1.1', deployment_id: canary020?.id } });
    // Which version serves traffic.
    expect(r.upstreamAfterSecond).toContain(`server ${r.addresses.second} weight=100; # canary 0.1.1`);
    expect(Object.keys(r.servedAfterSecond)).toEqual(['0.1.1']);
    expect(r.upstreamAfterRollback).toContain(`server ${r.addresses.restored} weight=100; # stable 0.1.0`);
    expect(Object.keys(r.servedAfterRollback)).toEqual(['0.1.0']);
    // The third version paused at its first step for the manual gate, then promote.yml finished it.
    expect(r.third.outputs).toMatchObject({ version: '0.1.2', 'canary-outcome': 'paused' });
    expect(r.upstreamWhilePaused).toContain(`server ${r.addresses.third} weight=25; # canary 0.1.2`);
    expect(r.upstreamWhilePaused).toContain(`server ${r.addresses.restored} weight=75; # stable 0.1.0`);
    const canary3 = byVersion('0.1.2')[0];
    const states3 = r.gh.state.statuses.filter((s) => s.deploymentId === canary3?.id).sort((x, y) => x.id - y.id);
    expect(states3.map((s) => `${s.state}: ${s.description}`)).toEqual([
      'in_progress: canary 0%: starting (0.1.2 vs 0.1.0)',
      expect.stringMatching(/^in_progress: canary 25%: 0\.1\.2 vs 0\.1\.0/),
      'in_progress: paused at 25%: waiting for promote or abort',
      'success: promoted: 0.1.2 at 100%',
    ]);
    expect(r.upstreamAfterPromote).toContain(`server ${r.addresses.third} weight=100; # canary 0.1.2`);
    expect(Object.keys(r.servedAfterPromote)).toEqual(['0.1.2']);
    expect(r.load.failures).toEqual([]);
    expect(r.gh.violations).toEqual([]);
  }, 240_000);
});
