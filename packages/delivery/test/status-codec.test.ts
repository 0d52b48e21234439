import { describe, expect, it } from '@jest/globals';
import { describeStatus, readBatch, readStatus, type RolloutStatus } from '../src/records/status-codec.js';

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

  it('reads where a phased release stands: the batch it finished, paused at its gate, an abort under way', () => {
    const batch = describeStatus({
      kind: 'batch',
      index: 2,
      count: 4,
      version: '1.2.0',
      changed: 3,
      total: 8,
      targets: ['a', 'b'],
    });
    expect(readBatch(batch)).toEqual({ done: 2, count: 4, paused: false, aborting: false });
    const paused = describeStatus({
      kind: 'phased-paused',
      index: 1,
      count: 3,
      changed: 1,
      total: 6,
      version: '1.2.0',
    });
    expect(readBatch(paused)).toEqual({ done: 1, count: 3, paused: true, aborting: false });
    expect(readStatus(paused).paused).toBe(true);
    const going = describeStatus({ kind: 'phased-continuing', index: 1, count: 3, version: '1.2.0' });
    expect(readBatch(going)).toEqual({ done: 1, count: 3, paused: false, aborting: false });
    const aborting = describeStatus({ kind: 'phased-aborting', index: 2, count: 3, previous: '1.1.0' });
    expect(readBatch(aborting)).toEqual({ done: 2, count: 3, paused: false, aborting: true });
    // Settled, foreign or free text is none of these: nothing to continue from.
    for (const s of [
      describeStatus({ kind: 'released', version: '1.2.0', total: 6 }),
      describeStatus({ kind: 'phased-aborted', index: 1, count: 3, changed: 1, previous: '1.1.0' }),
      'deploying batch 2/3',
      'batch 1/3',
      '',
    ])
      expect({ s, read: readBatch(s) }).toEqual({ s, read: undefined });
  });
});
