/**
 * What counts as a test and what counts as a retry, for every format, in one place (the test
 * action's README has the same table). The rule under all of them: a pass never hides a
 * failure. Every test element a producer writes is one test, whatever its name: two test
 * cases with the same name (the same `it` under two `describe`s, the same test in two files,
 * a rerun report of the same run) are two tests, and a failure in either fails the run.
 * A test is flaky only where the producer itself records the retry inside the test element.
 */
import type { Outcome } from './model.js';

/** JUnit: elements inside a <testcase> that record an earlier failed attempt of that test. */
export const JUNIT_RETRY_PASSED = new Set([
  'flakyFailure', // Maven Surefire/Failsafe: failed, then passed on rerun
  'flakyError',
]);
/** JUnit: attempts recorded next to the final result; flaky when the test case passed in the end. */
export const JUNIT_RETRY_ATTEMPT = new Set([
  'rerun', // pytest-rerunfailures
  'rerunFailure', // Surefire: every rerun failed too (the test case also has <failure>)
  'rerunError',
]);

/**
 * TRX outcomes (Microsoft.VisualStudio.TestTools.Common.TestOutcome): anything that did not
 * pass and was not deliberately not run is a failure or an error; an unknown outcome is an
 * error, never a pass.
 */
export const TRX_OUTCOMES: Record<string, Outcome> = {
  passed: 'success',
  passedbutrunaborted: 'success',
  completed: 'success',
  warning: 'success',
  failed: 'failure',
  timeout: 'failure',
  error: 'error',
  aborted: 'error',
  disconnected: 'error',
  notrunnable: 'error',
  inprogress: 'error',
  pending: 'error',
  inconclusive: 'skipped',
  notexecuted: 'skipped',
};

export function trxOutcome(outcome: string | undefined): Outcome {
  return TRX_OUTCOMES[(outcome ?? '').toLowerCase()] ?? 'error';
}
