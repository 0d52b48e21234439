import { describe, expect, it } from '@jest/globals';
import { Judge, mannWhitneyGreater, median, parseChecks, renderQuery, type Check } from '../src/index.js';

describe('Mann-Whitney U', () => {
  it('matches the exact distribution on small samples', () => {
    // All of a above all of b: U = n*m, P = 1 / C(n+m, n).
    const r = mannWhitneyGreater([10, 11, 12], [1, 2, 3]);
    expect(r.u).toBe(9);
    expect(r.pGreater).toBeCloseTo(1 / 20, 10);
    expect(mannWhitneyGreater([1, 2, 3], [10, 11, 12]).pGreater).toBe(1);
  });
  it('does not call noise a regression', () => {
    const a = [0.101, 0.099, 0.103, 0.098, 0.1, 0.102];
    const b = [0.1, 0.102, 0.099, 0.101, 0.098, 0.103];
    expect(mannWhitneyGreater(a, b).pGreater).toBeGreaterThan(0.2);
  });
  it('finds a real shift with the normal approximation on large samples', () => {
    const b = Array.from({ length: 40 }, (_, i) => 100 + (i % 7));
    const a = b.map((x) => x + 5);
    expect(mannWhitneyGreater(a, b).pGreater).toBeLessThan(0.001);
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });
});

describe('checks input', () => {
  it('parses thresholds and baseline comparisons', () => {
    const checks = parseChecks(`
- name: error-rate
  query: sum(rate(x{version="{{version}}"}[{{interval}}]))
  max: 0.05
- name: latency
  query: q{version="{{version}}"}
  compare: baseline
  max-increase: 20%
- name: ext
  provider: http
  query: http://127.0.0.1/x?v={{version}}
  path: $.value
  min: 1
`);
    expect(checks).toEqual([
      {
        name: 'error-rate',
        provider: 'prometheus',
        query: 'sum(rate(x{version="{{version}}"}[{{interval}}]))',
        max: 0.05,
      },
      {
        name: 'latency',
        provider: 'prometheus',
        query: 'q{version="{{version}}"}',
        compare: 'baseline',
        maxIncrease: { relative: true, amount: 0.2 },
      },
      { name: 'ext', provider: 'http', query: 'http://127.0.0.1/x?v={{version}}', path: '$.value', min: 1 },
    ]);
    expect(
      renderQuery('a{v="{{version}}",s="{{ stable }}"}[{{interval}}]', { version: '2', stable: '1', interval: '30s' }),
    ).toBe('a{v="2",s="1"}[30s]');
  });
  it.each([
    ['not: a list', /a YAML list of checks/],
    ['- name: x\n  query: q', /item 1 \(x\): max, min or compare: baseline/],
    ['- name: x\n  query: q\n  max: high', /item 1 \(x\): max to be a number/],
    ['- name: x\n  query: q\n  max: 1\n- name: x\n  query: q\n  max: 1', /item 2 \(x\): a unique name/],
    ['- name: x\n  query: q\n  maximum: 1', /known keys only/],
    ['- name: x\n  provider: http\n  query: u\n  max: 1', /a JSON path/],
    ['- name: x\n  query: q\n  compare: baseline\n  max-increase: lots', /max-increase such as 20%/],
    ['- name: x\n  query: q\n  compare: baseline\n  tolerance: 5ms', /item 1 \(x\): tolerance to be a number >= 0/],
    ['- name: x\n  query: q\n  max: 1\n  tolerance: 0.1', /max-increase and tolerance only with compare: baseline/],
  ])('%j', (text, message) => {
    expect(() => parseChecks(text)).toThrow(message);
  });
});

const value = (v: number) => ({ kind: 'value' as const, value: v });
const noData = { kind: 'no-data' as const, detail: 'value NaN (an idle window)' };

describe('Judge', () => {
  const errorRate: Check = { name: 'error-rate', provider: 'prometheus', query: 'q', max: 0.05 };
  const latency: Check = {
    name: 'latency',
    provider: 'prometheus',
    query: 'q',
    compare: 'baseline',
    maxIncrease: { relative: true, amount: 0.2 },
  };

  it('fails at the first breach with the metric, the value and the threshold', () => {
    const j = new Judge([errorRate], { failureLimit: 0, inconclusiveLimit: 0 });
    j.startStep();
    expect(j.measure(errorRate, 'canary', value(0.01))).toBeUndefined();
    expect(j.measure(errorRate, 'canary', value(0.2))).toEqual({
      check: 'error-rate',
      reason: 'error-rate 0.2 > max 0.05',
      observed: 0.2,
    });
  });
  it('tolerates failures up to failure-limit', () => {
    const j = new Judge([errorRate], { failureLimit: 1, inconclusiveLimit: 0 });
    j.startStep();
    expect(j.measure(errorRate, 'canary', value(0.2))).toBeUndefined();
    expect(j.measure(errorRate, 'canary', value(0.2))).toBeDefined();
  });
  it('never passes on no data: inconclusive beyond the limit fails closed, and a step without data fails', () => {
    const j = new Judge([errorRate], { failureLimit: 0, inconclusiveLimit: 1 });
    j.startStep();
    expect(j.measure(errorRate, 'canary', noData)).toBeUndefined();
    expect(j.endStep()?.reason).toMatch(
      /^error-rate: the last reading of the canary before the next move was no data \(.*\); failing closed$/,
    );
    expect(j.measure(errorRate, 'canary', { kind: 'unreachable', detail: 'ECONNREFUSED' })?.reason).toBe(
      'error-rate: metrics source unreachable for canary (ECONNREFUSED); failing closed',
    );
  });
  it('compares with the baseline: a real increase fails, noise passes', () => {
    const slow = new Judge([latency], { failureLimit: 0, inconclusiveLimit: 0 });
    slow.startStep();
    for (const v of [0.1, 0.11, 0.1, 0.12, 0.1]) slow.measure(latency, 'stable', value(v));
    for (const v of [0.3, 0.31, 0.29, 0.3, 0.32]) slow.measure(latency, 'canary', value(v));
    expect(slow.endStep()?.reason).toMatch(/^latency 0.3 vs stable 0.1 \(> \+20%, p=0.0040\)$/);
    const same = new Judge([latency], { failureLimit: 0, inconclusiveLimit: 0 });
    same.startStep();
    for (const v of [0.1, 0.11, 0.1, 0.12, 0.1]) same.measure(latency, 'stable', value(v));
    for (const v of [0.11, 0.1, 0.1, 0.115, 0.1]) same.measure(latency, 'canary', value(v));
    expect(same.endStep()).toBeUndefined();
  });
  it('a tolerance lets a significant but tiny increase pass, and nothing beyond it', () => {
    const floor: Check = { ...latency, tolerance: 0.005 };
    expect(
      parseChecks('- name: l\n  query: q\n  compare: baseline\n  max-increase: 20%\n  tolerance: 0.005')[0],
    ).toMatchObject({ tolerance: 0.005 });
    const judge = (canary: number[]) => {
      const j = new Judge([floor], { failureLimit: 0, inconclusiveLimit: 0 });
      j.startStep();
      for (const v of [0.002, 0.0021, 0.002, 0.0022, 0.002]) j.measure(floor, 'stable', value(v));
      for (const v of canary) j.measure(floor, 'canary', value(v));
      return j.endStep();
    };
    expect(judge([0.004, 0.0041, 0.0039, 0.004, 0.0042])).toBeUndefined(); // +100%, but 2 ms
    expect(judge([0.009, 0.0091, 0.0089, 0.009, 0.0092])?.reason).toMatch(
      /^latency 0.009 vs stable 0.002 \(> \+0.005 tolerance, p=/,
    );
  });
  it('a fresh reading gates every move: passing readings, then no data or an unreachable source at the end, fail', () => {
    for (const late of [noData, { kind: 'unreachable' as const, detail: 'ECONNREFUSED' }]) {
      const j = new Judge([errorRate], { failureLimit: 0, inconclusiveLimit: 5 });
      j.startStep();
      for (let i = 0; i < 4; i++) j.measure(errorRate, 'canary', value(0));
      j.measure(errorRate, 'canary', late);
      expect(j.endStep()?.reason).toMatch(
        /^error-rate: the last reading of the canary before the next move was (no data|metrics source unreachable)/,
      );
    }
    const recovered = new Judge([errorRate], { failureLimit: 0, inconclusiveLimit: 5 });
    recovered.startStep();
    recovered.measure(errorRate, 'canary', noData);
    recovered.measure(errorRate, 'canary', value(0));
    expect(recovered.endStep()).toBeUndefined();
  });
  it('a baseline check without enough samples fails closed', () => {
    const j = new Judge([latency], { failureLimit: 0, inconclusiveLimit: 5 });
    j.startStep();
    j.measure(latency, 'canary', value(1));
    expect(j.endStep()?.reason).toMatch(/no reading of the stable during the step; failing closed/);
    j.startStep();
    for (let i = 0; i < 3; i++) {
      j.measure(latency, 'canary', value(1));
      j.measure(latency, 'stable', value(1));
    }
    expect(j.endStep()?.reason).toMatch(/too few readings to compare with stable/);
  });
});
