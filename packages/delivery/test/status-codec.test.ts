import { describe, expect, it } from '@jest/globals';
import { describeStatus, readStatus, type RolloutStatus } from '../src/status-codec.js';

describe('rollout status codec', () => {
  const weighted: RolloutStatus[] = [
    { kind: 'step', weight: 25, version: '1.2.0', stable: '1.1.0', checks: 2 },
    { kind: 'paused', weight: 5 },
    { kind: 'aborted', weight: 50, reason: 'error-rate 0.3 > max 0.05 (30% of requests)' },
    { kind: 'aborted-by-hand', weight: 75, stable: '1.1.0' },
    { kind: 'abandoned', weight: 10, version: '1.2.0' },
    { kind: 'failed', weight: 100, error: 'nginx -t exited 1 at 12%', traffic: 'traffic back on 1.1.0' },
    { kind: 'cancelled', weight: 33, stable: '1.1.0' },
    { kind: 'left', weight: 66, why: 'connection refused' },
  ];

  it('reads back the weight every weighted status was written with, whatever the free text after it says', () => {
    for (const s of weighted)
      expect({ s, read: readStatus(describeStatus(s)).weight }).toEqual({ s, read: (s as { weight: number }).weight });
  });

  it('tells a canary paused at its gate from one moving traffic', () => {
    expect(readStatus(describeStatus({ kind: 'paused', weight: 25 }))).toEqual({ weight: 25, paused: true });
    expect(
      readStatus(describeStatus({ kind: 'step', weight: 25, version: '1.2.0', stable: '1.1.0', checks: 1 })),
    ).toEqual({ weight: 25, paused: false });
  });

  it('reads 0 from what names no weight or was not written by a rollout', () => {
    for (const s of [
      describeStatus({ kind: 'starting', version: '1.2.0', stable: '1.1.0' }),
      describeStatus({ kind: 'promoted', version: '1.2.0' }),
      'deployed by hand at 90%',
      'live',
      '',
      'canary 999%: bogus',
    ]) {
      expect({ s, weight: readStatus(s).weight }).toEqual({ s, weight: 0 });
    }
  });

  it('keeps the texts of format version 1, which records already on GitHub hold', () => {
    expect(describeStatus({ kind: 'step', weight: 25, version: '0.1.2', stable: '0.1.0', checks: 2 })).toBe(
      'canary 25%: 0.1.2 vs 0.1.0, judging 2 check(s)',
    );
    expect(describeStatus({ kind: 'paused', weight: 25 })).toBe('paused at 25%: waiting for promote or abort');
    expect(describeStatus({ kind: 'promoted', version: '0.1.2' })).toBe('promoted: 0.1.2 at 100%');
  });
});
