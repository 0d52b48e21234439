/**
 * A virtual clock for the rollouts' state-machine tests: time moves only when the code under
 * test waits, by exactly what it waits for, so a rollout of 60 s steps runs in milliseconds
 * and every timestamp it writes is predictable. Cancellation behaves as with the real clock.
 */
import { Cancelled, type Clock } from '@rollgate/kit';

export class VirtualClock implements Clock {
  /** What the code under test waited, in order. */
  readonly waits: number[] = [];
  private readonly onWait: ((at: number) => void | Promise<void>)[] = [];

  constructor(private time = Date.parse('2026-01-01T00:00:00Z')) {}

  now(): number {
    return this.time;
  }

  /** Moves time on without a wait of the code under test (a history seeded before a test). */
  advance(ms: number): void {
    this.time += Math.max(0, ms);
  }

  /** Runs `hook` (once) the first time the code waits at or after `at` ms from now. */
  at(afterMs: number, hook: () => void | Promise<void>): void {
    const due = this.time + afterMs;
    let done = false;
    this.onWait.push(async (now) => {
      if (done || now < due) return;
      done = true;
      await hook();
    });
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new Cancelled();
    this.waits.push(ms);
    this.time += Math.max(0, ms);
    for (const hook of [...this.onWait]) await hook(this.time);
    // One turn of the event loop, so a wait is still a point where other work (an abort) runs.
    await new Promise((ok) => setImmediate(ok));
    if (signal?.aborted) throw new Cancelled();
  }
}
