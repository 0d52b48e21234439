import { describe, expect, it } from '@jest/globals';
import { Judge, mannWhitneyGreater, parseChecks, samplesNeeded, smallestP } from '../src/index.js';

describe('a baseline comparison that can say no', () => {
  it('knows the smallest p-value the exact test can reach', () => {
    expect(smallestP(3, 3)).toBeCloseTo(1 / 20);
    expect(smallestP(4, 4)).toBeCloseTo(1 / 70);
    expect(smallestP(5, 3)).toBeCloseTo(1 / 56);
    // It is what the test gives when every canary reading is above every stable one.
    expect(mannWhitneyGreater([0.475, 0.48, 0.49], [0.0045, 0.0046, 0.0044]).pGreater).toBeCloseTo(smallestP(3, 3));
    expect(samplesNeeded(0.05)).toBe(4);
    expect(samplesNeeded(0.01)).toBe(5);
  });

  const checks = () => parseChecks('- name: p90\n  query: q\n  compare: baseline\n  max-increase: 20%');
  const step = (canary: number[], stable: number[]) => {
    const [check] = checks();
    const judge = new Judge(checks(), { failureLimit: 0, inconclusiveLimit: 2, alpha: 0.05 });
    judge.startStep();
    for (const v of canary) judge.measure(check!, 'canary', { kind: 'value', value: v });
    for (const v of stable) judge.measure(check!, 'stable', { kind: 'value', value: v });
    return judge.endStep();
  };

  it('a canary 100x slower with 3 readings a side fails closed instead of passing', () => {
    expect(step([0.475, 0.48, 0.49], [0.0045, 0.0046, 0.0044])?.reason).toMatch(
      /too few readings to compare with stable at significance 0.05 \(3 canary, 3 stable\); failing closed/,
    );
  });
  it('with 4 readings a side a 2x regression is caught, and an equal canary passes', () => {
    expect(step([0.01, 0.011, 0.0105, 0.0102], [0.005, 0.0051, 0.0049, 0.0052])?.reason).toMatch(
      /^p90 0.0104 vs stable 0.00505/,
    );
    expect(step([0.005, 0.0052, 0.0049, 0.0051], [0.005, 0.0051, 0.0049, 0.0052])).toBeUndefined();
  });
});
