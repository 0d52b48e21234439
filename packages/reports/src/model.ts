/** What every report format turns into: one record per test run (a testcase element, a TAP test point...). */

export type Outcome = 'success' | 'failure' | 'error' | 'skipped';

export interface TestRun {
  /** Suite or class, for display. */
  classname: string;
  name: string;
  outcome: Outcome;
  /** Seconds. */
  time: number;
  message?: string;
  details?: string;
  file?: string;
  line?: number;
  /** The producer recorded failed attempts inside this test (rules.ts): flaky if it passed in the end. */
  flaky?: boolean;
  /** Earlier attempts the producer recorded inside this test (counted in runs). */
  retries?: number;
}

/** Counts a suite declares when it lists no test cases (some runners write only totals). */
export interface SuiteTotals {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export interface ReportSink {
  run(run: TestRun): void;
  totals(totals: SuiteTotals): void;
}

export class ReportError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${message}`);
    this.name = 'ReportError';
  }
}

/** Bounds what is kept of a failure's text: memory follows the largest test case, capped. */
export const MAX_TEXT = 64 * 1024;
