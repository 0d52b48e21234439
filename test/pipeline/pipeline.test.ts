import { describe, expect, it } from '@jest/globals';
import { git } from '@rollgate/testbed';
import { runScenario } from './scenario.js';

describe('pipeline.yml then rollback.yml, through the local workflow runner', () => {
  it('builds, tests, releases and canaries two versions, then rolls back to the first from its artifact', async () => {
    const lines: string[] = [];
    const r = await runScenario((l) => lines.push(l));
    const log = lines.join('\n');
    expect({ first: r.first.conclusion, second: r.second.conclusion, rollback: r.rollback.conclusion, log }).toMatchObject({ first: 'success', second: 'success', rollback: 'success' });
    expect(r.first.outputs).toMatchObject({ version: '0.1.0', tag: 'v0.1.0' });
    expect(r.second.outputs).toMatchObject({ version: '0.1.1', tag: 'v0.1.1' });
    // Tags and releases, with the build artifact attached.
    expect(git(r.remote, ['tag', '--list']).split('\n').sort()).toEqual(['v0', 'v0.1', 'v0.1.0', 'v0.1.1']);
    const releases = r.gh.state.releases.map((x) => x.tag_name).sort();
    expect(releases).toEqual(['v0.1.0', 'v0.1.1']);
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
    expect(r.load.failed).toBe(0);
    expect(r.gh.violations).toEqual([]);
  }, 240_000);
});
