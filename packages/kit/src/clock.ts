/**
 * Time as a port: the rollouts read the time and wait through a Clock, so their state
 * machines run in tests on a virtual clock (a 60 s step in a millisecond) and in actions on
 * the system's.
 */
import { sleep } from './cancel.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`, or rejects with Cancelled as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };
