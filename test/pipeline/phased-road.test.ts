import { describe, expect, it } from '@jest/globals';
import { runPhasedRoad } from '../../roads/pipeline/phased-road.js';

describe('pipeline.yml (release-style phased), promote.yml (kind phased) and rollback.yml over a fleet', () => {
  it('six instances behind HAProxy: a first release in batches, a second paused after its first batch and continued by hand, a fleet rollback', async () => {
    const lines: string[] = [];
    const r = await runPhasedRoad((l) => lines.push(l));
    if (process.env.SHOW_LOG) console.log(lines.join('\n'));
    const log = lines.join('\n');
    expect({
      first: r.first.conclusion,
      second: r.second.conclusion,
      dryRun: r.dryRun.conclusion,
      promote: r.promote.conclusion,
      rollback: r.rollback.conclusion,
      log,
    }).toMatchObject({
      first: 'success',
      second: 'success',
      dryRun: 'success',
      promote: 'success',
      rollback: 'success',
    });
    // A private repository where every job held only its workflow's grants, and needed no more.
    expect(r.gh.denials).toEqual([]);
    // Within GitHub's rate limits: GITHUB_TOKEN's 1,000 an hour for the repository, 80 writes a minute.
    expect(r.gh.limits?.refused).toEqual([]);
    expect(r.gh.limits?.jobTokenUsed).toBeLessThan(1000);
    expect(r.gh.violations).toEqual([]);
    expect(r.first.outputs).toMatchObject({ version: '0.1.0', 'phased-outcome': 'released', 'canary-outcome': '' });
    expect(r.first.jobs.canary?.conclusion).toBe('skipped');
    expect(r.versions.first).toEqual(Array(6).fill('0.1.0'));
    expect(r.second.outputs).toMatchObject({ version: '0.1.1', 'phased-outcome': 'paused' });
    expect(r.versions.paused).toEqual(['0.1.1', '0.1.0', '0.1.0', '0.1.0', '0.1.0', '0.1.0']);
    expect(r.dryRun.jobs.gate).toMatchObject({ conclusion: 'success', outputs: { outcome: 'dry-run' } });
    expect(r.dryRunStatuses).toBe(0);
    expect(r.promote.jobs.gate).toMatchObject({ conclusion: 'success', outputs: { outcome: 'released' } });
    expect(r.versions.promoted).toEqual(Array(6).fill('0.1.1'));
    const record = r.gh.state.deployments.find((d) => (d.payload as { version: string }).version === '0.1.1');
    expect(
      r.gh.state.statuses
        .filter((s) => s.deploymentId === record?.id)
        .sort((x, y) => x.id - y.id)
        .map((s) => s.description)
        .slice(0, 6),
    ).toEqual([
      'batch 1/3: 1/6 on 0.1.1 (web-1)',
      'paused after batch 1/3: 1/6 on 0.1.1, waiting for continue or abort',
      'continuing after batch 1/3: 0.1.1 goes on by hand',
      'batch 2/3: 3/6 on 0.1.1 (web-2,web-3)',
      'batch 3/3: 6/6 on 0.1.1 (web-4,web-5,web-6)',
      'released: 0.1.1 on all 6 targets; 6/6 report 0.1.1, 6/6 serving',
    ]);
    // rollback.yml put 0.1.0 back on every target, from its original artifact.
    expect(r.versions.rolledBack).toEqual(Array(6).fill('0.1.0'));
    expect(r.rollback.jobs.rollback?.outputs).toMatchObject({ version: '0.1.0' });
    // Users saw no failed request from the first release on, and none was retried.
    expect(r.load.sent).toBeGreaterThan(500);
    expect(r.load.failures).toEqual([]);
    expect(r.load.retried).toBe(0);
  }, 400_000);
});
