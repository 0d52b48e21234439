/**
 * `timeout-minutes` of a job and of a step, as GitHub applies them: "The maximum number of
 * minutes to let a job run before GitHub automatically cancels it. Default: 360", and for a
 * step "The maximum number of minutes to run the step before killing the process."
 * https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idtimeout-minutes
 * The messages are the runner's, as its logs print them ("The action 'Verify Release is on
 * NPM' has timed out after 3 minutes.").
 */
import type { Contexts } from '../expressions.js';
import { expr } from './evaluate.js';

export const JOB_TIMEOUT_MINUTES = 360;

/** A `timeout-minutes` value (a number or an expression), or undefined when not set. */
export function minutesOf(
  spec: unknown,
  where: string,
  contexts: Contexts,
  fns: Record<string, () => boolean>,
): number | undefined {
  if (spec === undefined || spec === null) return undefined;
  const minutes = Number(expr(spec, contexts, fns));
  if (!Number.isFinite(minutes) || minutes <= 0)
    throw new Error(`${where}: timeout-minutes: expected a positive number of minutes, got ${JSON.stringify(spec)}`);
  return minutes;
}

/** The time a step may take: its own limit, within what is left of its job's. */
export function stepLimit(
  stepMinutes: number | undefined,
  jobDeadline: number,
  now = Date.now(),
): { ms: number; by: 'step' | 'job' } {
  const left = jobDeadline - now;
  const own = stepMinutes === undefined ? Infinity : stepMinutes * 60_000;
  return own <= left ? { ms: own, by: 'step' } : { ms: Math.max(0, left), by: 'job' };
}

export const stepTimedOut = (name: string, minutes: number) =>
  `The action '${name}' has timed out after ${minutes} minutes.`;
export const jobTimedOut = (minutes: number) =>
  `The job has exceeded the maximum execution time of ${minutes} minutes.`;
