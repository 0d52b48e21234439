import { describe, expect, it } from '@jest/globals';
import { deliverMisconfigured, runPythonConsumer } from '../../roads/pipeline/python-consumer.js';

describe('a Python consumer set up from the docs (pytest, a deploy script in the repository, slots)', () => {
  it('releases, catches a bad canary without touching the live slot, rolls back and passes the gate, under the permissions its files grant', async () => {
    const lines: string[] = [];
    const r = await runPythonConsumer((l) => lines.push(l));
    if (process.env.SHOW_LOG) console.log(lines.join('\n'));
    const conclusions = Object.fromEntries(Object.entries(r.runs).map(([k, v]) => [k, v.conclusion]));
    expect({ ...conclusions, log: lines.join('\n') }).toMatchObject({
      first: 'success',
      second: 'success',
      bad: 'failure',
      rollback: 'success',
      paused: 'success',
      promote: 'success',
    });
    expect(r.gh.isPrivate).toBe(true);
    expect(r.gh.denials).toEqual([]);
    expect(r.gh.limits?.refused).toEqual([]);
    const { blue, green } = r.slots;
    // The first release went into blue; the healthy canary into green, then all traffic.
    expect(r.runs.first.jobs.deliver?.outputs).toMatchObject({ version: '0.1.0', 'canary-outcome': 'promoted' });
    expect(r.runs.second.jobs.deliver?.outputs).toMatchObject({ version: '0.1.1', 'canary-outcome': 'promoted' });
    expect(r.weights.second).toEqual({ [green]: { role: 'canary', version: '0.1.1', weight: 100 } });
    // The bad canary went into blue and was aborted on its error rate: green, live, was never touched.
    expect(lines.join('\n')).toMatch(/Canary failed at 25%: error-rate [\d.]+ > max 0\.05/);
    expect(r.weights.bad).toEqual({ [green]: { role: 'stable', version: '0.1.1', weight: 100 } });
    expect(r.answers.afterBad).toEqual({ blue: '0.1.2', green: '0.1.1' });
    expect(r.greenPid.after).toBe(r.greenPid.before);
    // rollback.yml: 0.1.0 from its original artifact into blue (the slot the live release does not serve).
    expect(r.runs.rollback.jobs.rollback?.outputs).toMatchObject({ version: '0.1.0' });
    expect(r.weights.rollback).toEqual({ [blue]: { role: 'stable', version: '0.1.0', weight: 100 } });
    expect(r.answers.afterRollback).toEqual({ blue: '0.1.0', green: '0.1.1' });
    // The manual gate: 0.1.3 paused at 25% in green, then promoted by promote.yml.
    expect(r.weights.paused).toEqual({
      [blue]: { role: 'stable', version: '0.1.0', weight: 75 },
      [green]: { role: 'canary', version: '0.1.3', weight: 25 },
    });
    expect(r.runs.promote.jobs.gate?.outputs).toMatchObject({ outcome: 'promoted', weight: '100' });
    expect(r.answers.afterPromote.green).toBe('0.1.3');
    expect(r.gh.violations).toEqual([]);
  }, 400_000);

  it.each([
    [{ DEPLOY_COMMAND: './deploy/deploy.sh' }, /Input 'deploy-command'.*deploy\/deploy\.sh/],
    [{ SLOTS: 'blue=127.0.0.1:1' }, /Input 'slots': expected at least two slots/],
    [{ CANARY_STEPS: '5,100,50' }, /Input 'steps'/],
  ])(
    'stops at its first job, before any tag or release, when a setting is wrong: %j',
    async (vars, message) => {
      const lines: string[] = [];
      const r = await deliverMisconfigured(vars, (l) => lines.push(l));
      expect(r.run.conclusion).toBe('failure');
      expect(lines.join('\n')).toMatch(message);
      expect(r.tags).toEqual([]);
      expect(r.releases).toBe(0);
      expect(r.deployments).toBe(0);
    },
    120_000,
  );
});
