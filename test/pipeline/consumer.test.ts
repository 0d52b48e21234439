import { describe, expect, it } from '@jest/globals';
import { runConsumerScenario } from '../../roads/pipeline/consumer.js';

describe("a consumer's own three files, in a repository of their own, with the suite pinned by commit", () => {
  it('delivers, canaries, rolls back and promotes through the gate, on a private repository under the permissions the files grant', async () => {
    const lines: string[] = [];
    const r = await runConsumerScenario((l) => lines.push(l), 'nginx');
    if (process.env.SHOW_LOG) console.log(lines.join('\n'));
    const conclusions = Object.fromEntries(Object.entries(r.runs).map(([k, v]) => [k, v.conclusion]));
    expect({ ...conclusions, log: lines.join('\n') }).toMatchObject({
      first: 'success',
      second: 'success',
      rollback: 'success',
      third: 'success',
      promote: 'success',
    });
    // The suite's workflows and actions ran from the pinned commit's tree, not from this checkout.
    expect(lines.join('\n')).toContain(`the suite pinned at ${r.pinned.slice(0, 12)}`);
    // Every job held only what the consumer's files grant, and needed no more.
    expect(r.gh.isPrivate).toBe(true);
    expect(r.gh.tokensIssued).toBeGreaterThan(10);
    expect(r.gh.denials).toEqual([]);
    // Within GitHub's rate limits: GITHUB_TOKEN's 1,000 an hour for the repository, 80 writes a minute.
    expect(r.gh.limits?.refused).toEqual([]);
    expect(r.gh.limits?.jobTokenUsed).toBeLessThan(1000);
    const { second, restored, third } = r.addresses;
    expect(r.runs.second.jobs.deliver?.outputs).toMatchObject({ version: '0.1.1', 'canary-outcome': 'promoted' });
    expect(r.weights.second).toEqual({ [second]: { role: 'canary', version: '0.1.1', weight: 100 } });
    expect(r.weights.rollback).toEqual({ [restored]: { role: 'stable', version: '0.1.0', weight: 100 } });
    expect(r.weights.paused).toEqual({
      [restored]: { role: 'stable', version: '0.1.0', weight: 75 },
      [third]: { role: 'canary', version: '0.1.2', weight: 25 },
    });
    expect(r.runs.promote.jobs.gate?.outputs).toMatchObject({ outcome: 'promoted', weight: '100' });
    expect(r.weights.promoted).toEqual({ [third]: { role: 'canary', version: '0.1.2', weight: 100 } });
    expect(r.load.failures).toEqual([]);
    expect(r.gh.violations).toEqual([]);
  }, 300_000);
});
