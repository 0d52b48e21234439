/**
 * The one home of what a rollout writes into deployment status descriptions and reads back:
 * every description is built by `describeStatus` from a typed status, and `readStatus` is the only
 * reader (the weight a canary stands at, whether it is paused at its gate). Version 1 of the
 * format is the texts below: a reader of a later version must keep reading these. GitHub keeps
 * at most 140 characters (statusText cuts the free-text reasons, never the leading part read back).
 */
export const STATUS_FORMAT_VERSION = 1;

export type RolloutStatus =
  | { kind: 'starting'; version: string; stable: string }
  | { kind: 'step'; weight: number; version: string; stable: string; checks: number }
  | { kind: 'paused'; weight: number }
  | { kind: 'promoted'; version: string }
  | { kind: 'aborted'; weight: number; reason: string }
  | { kind: 'aborted-by-hand'; weight: number; stable: string }
  | { kind: 'abandoned'; weight: number; version: string }
  | { kind: 'failed'; weight: number; error: string; traffic: string }
  | { kind: 'cancelled'; weight: number; stable: string }
  | { kind: 'left'; weight: number; why: string }
  | { kind: 'lost-race'; winner: number; version: string }
  // A start race lost to a rollback (or a rollback's to a rollout): the record waits, then goes on or withdraws.
  | { kind: 'waiting-for'; winner: number; what: string }
  | { kind: 'withdrawn'; reason: string }
  | { kind: 'deploy-failed'; version: string; error: string }
  // A phased release: which targets run which version after each batch.
  | { kind: 'batch'; index: number; count: number; version: string; changed: number; total: number; targets: string[] }
  | { kind: 'released'; version: string; total: number; fleet?: string }
  // The fleet read back at the end of a fleet rollout (a phased release, its abort, a fleet rollback, a reconcile).
  | { kind: 'fleet-wrong'; what: string; fleet: string }
  | { kind: 'reconciled'; version: string; fleet: string }
  | { kind: 'phased-abandoned'; version: string }
  | {
      kind: 'rolled-back';
      index: number;
      count: number;
      changed: number;
      previous: string;
      reason: string;
      fleet?: string;
    }
  | { kind: 'rollback-failed'; index: number; count: number; error: string }
  // A phased release at its manual gate (pause: manual or first), continued or aborted by promote.yml.
  | { kind: 'phased-paused'; index: number; count: number; changed: number; total: number; version: string }
  | { kind: 'phased-continuing'; index: number; count: number; version: string }
  | { kind: 'phased-aborting'; index: number; count: number; previous: string }
  | { kind: 'phased-aborted'; index: number; count: number; changed: number; previous: string; fleet?: string };

export function describeStatus(s: RolloutStatus): string {
  switch (s.kind) {
    case 'starting':
      return `canary 0%: starting (${s.version} vs ${s.stable})`;
    case 'step':
      return `canary ${s.weight}%: ${s.version} vs ${s.stable}, judging ${s.checks} check(s)`;
    case 'paused':
      return `paused at ${s.weight}%: waiting for promote or abort`;
    case 'promoted':
      return `promoted: ${s.version} at 100%`;
    case 'aborted':
      return `aborted at ${s.weight}%: ${s.reason}`;
    case 'aborted-by-hand':
      return `aborted by hand at ${s.weight}%: all traffic on ${s.stable}`;
    case 'abandoned':
      return `abandoned at ${s.weight}%: a new run restarted the canary of ${s.version}`;
    case 'failed':
      return `failed at ${s.weight}%: ${s.error}; ${s.traffic}`;
    case 'cancelled':
      return `cancelled at ${s.weight}%: traffic back on ${s.stable}`;
    case 'left':
      return `left at ${s.weight}%, traffic NOT restored: ${s.why}`;
    case 'lost-race':
      return `lost the start race to deployment ${s.winner} (${s.version}): withdrew before touching traffic`;
    case 'waiting-for':
      return `waiting for ${s.what} (deployment ${s.winner}), which started first`;
    case 'withdrawn':
      return `withdrawn before changing anything: ${s.reason}`;
    case 'deploy-failed':
      return `deploy of ${s.version} failed: ${s.error}`;
    case 'batch':
      return `batch ${s.index}/${s.count}: ${s.changed}/${s.total} on ${s.version} (${s.targets.join(',')})`;
    case 'released':
      return `released: ${s.version} on all ${s.total} targets${s.fleet ? `; ${s.fleet}` : ''}`;
    case 'fleet-wrong':
      return `${s.what}, but the fleet is not as it should be: ${s.fleet}`;
    case 'reconciled':
      return `reconciled: the fleet back on ${s.version}; ${s.fleet}`;
    case 'phased-abandoned':
      return `abandoned: a new run restarted the phased release of ${s.version}`;
    case 'rolled-back':
      return `rolled back at batch ${s.index}/${s.count}: ${s.changed} target(s) back on ${s.previous}${s.fleet ? ` (${s.fleet})` : ''}: ${s.reason}`;
    case 'rollback-failed':
      return `batch ${s.index}/${s.count} failed and its roll back failed: ${s.error}`;
    case 'phased-paused':
      return `paused after batch ${s.index}/${s.count}: ${s.changed}/${s.total} on ${s.version}, waiting for continue or abort`;
    case 'phased-continuing':
      return `continuing after batch ${s.index}/${s.count}: ${s.version} goes on by hand`;
    case 'phased-aborting':
      return `aborting after batch ${s.index}/${s.count} by hand: putting ${s.previous} back`;
    case 'phased-aborted':
      return `aborted by hand after batch ${s.index}/${s.count}: ${s.changed} target(s) back on ${s.previous}${s.fleet ? `; ${s.fleet}` : ''}`;
  }
}

const WEIGHTED =
  /^(?:canary (\d{1,3})%|paused at (\d{1,3})%|aborted(?: by hand)? at (\d{1,3})%|abandoned at (\d{1,3})%|failed at (\d{1,3})%|cancelled at (\d{1,3})%|left at (\d{1,3})%)/;

/**
 * What a description says about the canary: the weight it stands at (0 when it names none, or
 * was not written by a rollout) and whether it waits at its manual gate. Only the leading,
 * fixed part is read: the free text after it (reasons, errors) never changes the reading.
 */
export function readStatus(description: string): { weight: number; paused: boolean } {
  const m = WEIGHTED.exec(description);
  const raw = m?.slice(1).find((g) => g !== undefined);
  const weight = raw === undefined ? 0 : Number(raw);
  const paused = description.startsWith('paused at ') || description.startsWith('paused after batch ');
  return { weight: weight >= 0 && weight <= 100 ? weight : 0, paused };
}

const BATCH = /^(batch|paused after batch|continuing after batch|aborting after batch) (\d{1,4})\/(\d{1,4})[: ]/;

/**
 * Where an open phased release stands, from its latest description: the last batch it
 * finished (`done`; a `batch i/n` status is written once batch i is back in the load
 * balancer), whether it waits at its gate, and whether an abort by hand is under way.
 * Undefined when the description is none of the phased release's open statuses.
 */
export function readBatch(
  description: string,
): { done: number; count: number; paused: boolean; aborting: boolean } | undefined {
  const m = BATCH.exec(description);
  if (!m) return undefined;
  const [, kind, index, count] = m as unknown as [string, string, string, string];
  return {
    done: Number(index),
    count: Number(count),
    paused: kind === 'paused after batch',
    aborting: kind === 'aborting after batch',
  };
}
