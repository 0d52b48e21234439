/**
 * GitHub's concurrency groups, as documented: "When a concurrent job or workflow is queued, if
 * another job or workflow using the same concurrency group in the repository is in progress,
 * the queued job or workflow will be pending. Any existing pending job or workflow in the same
 * concurrency group, if it exists, will be canceled and the new queued job or workflow will
 * take its place." With `cancel-in-progress: true` the running one is cancelled instead.
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/control-the-concurrency-of-workflows-and-jobs
 * Groups are per repository; one instance is shared by every run of a test's repository.
 */

import type { Contexts } from '../expressions.js';
import { expr, type Json } from './evaluate.js';

export interface Holder {
  label: string;
  /** Called when a newer run cancels this one while it runs (cancel-in-progress). */
  cancel?: () => void;
}

interface Waiting extends Holder {
  settle(outcome: 'acquired' | 'cancelled'): void;
}

export class ConcurrencyGroups {
  private readonly groups = new Map<string, { running?: Holder; pending?: Waiting }>();
  /** What happened, in order: `label: pending|running|cancelled (group)`, for tests to read. */
  readonly events: string[] = [];

  /**
   * Waits for the group: 'acquired' when this holder may run (call release after), or
   * 'cancelled' when a newer one took its pending place.
   */
  acquire(group: string, holder: Holder, cancelInProgress = false): Promise<'acquired' | 'cancelled'> {
    const g = this.groups.get(group) ?? {};
    this.groups.set(group, g);
    if (g.running && cancelInProgress) {
      this.events.push(`${g.running.label}: cancelled in progress (${group})`);
      g.running.cancel?.();
    }
    if (!g.running) {
      g.running = holder;
      this.events.push(`${holder.label}: running (${group})`);
      return Promise.resolve('acquired');
    }
    if (g.pending) {
      this.events.push(`${g.pending.label}: cancelled, replaced by ${holder.label} (${group})`);
      g.pending.settle('cancelled');
    }
    this.events.push(`${holder.label}: pending (${group})`);
    return new Promise((settle) => {
      g.pending = { ...holder, settle };
    });
  }

  release(group: string, holder: Holder): void {
    const g = this.groups.get(group);
    if (!g || g.running?.label !== holder.label) return;
    g.running = undefined;
    const next = g.pending;
    g.pending = undefined;
    if (next) {
      g.running = next;
      this.events.push(`${next.label}: running (${group})`);
      next.settle('acquired');
    }
  }
}

/** `concurrency:` of a workflow or job, its group evaluated. */
export function concurrencyOf(
  spec: unknown,
  contexts: Contexts,
): { name: string; cancelInProgress: boolean } | undefined {
  if (spec === undefined || spec === null) return undefined;
  const noFns = { success: () => true, failure: () => false, always: () => true, cancelled: () => false };
  const raw = typeof spec === 'object' ? (spec as Json).group : spec;
  const name = String(expr(raw, contexts, noFns) ?? '');
  if (!name) return undefined;
  const cancel = typeof spec === 'object' ? expr((spec as Json)['cancel-in-progress'], contexts, noFns) : false;
  // The local runner cannot cancel a job that is running (its steps are child processes it
  // awaits): say so rather than model it wrongly. The suite's workflows never cancel a rollout.
  if (cancel === true || cancel === 'true')
    throw new Error(
      `concurrency group ${name}: cancel-in-progress: true is not supported by the local workflow runner`,
    );
  return { name, cancelInProgress: false };
}
