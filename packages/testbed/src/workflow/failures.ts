/** Where a run failed: the first failing step, looking into the workflows its jobs called. */
import type { JobResult } from './types.js';

export interface Failure {
  /** `caller / job` for a job of a called workflow, as GitHub names it. */
  job: string;
  step: string;
  error: string;
}

export function firstFailure(jobs: Record<string, JobResult>, prefix = ''): Failure | undefined {
  for (const [id, job] of Object.entries(jobs)) {
    if (job.conclusion !== 'failure') continue;
    const name = `${prefix}${id}`;
    if (job.called) {
      const inner = firstFailure(job.called, `${name} / `);
      if (inner) return inner;
    }
    const step = job.steps.find((s) => s.conclusion === 'failure');
    if (step) return { job: name, step: step.name, error: step.error ?? 'failed' };
  }
  return undefined;
}
