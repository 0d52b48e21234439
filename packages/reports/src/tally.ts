/**
 * Aggregates test runs into test results. A test is (classname, name): runs of the same test
 * (retries, rerun reports) are one test. Within a run, error > failure > skipped > success;
 * across runs, a test that failed and then passed is a success and flaky; otherwise error >
 * failure > success > skipped. Memory: one small record per distinct test, plus the kept
 * failures (bounded) and the slowest tests (bounded).
 */
import type { Outcome, ReportSink, SuiteTotals, TestRun } from './model.js';

export interface Failure {
  classname: string;
  name: string;
  outcome: 'failure' | 'error';
  message?: string;
  details?: string;
  file?: string;
  line?: number;
}

export interface Totals {
  total: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  flaky: number;
  /** Every run, retries included. */
  runs: number;
  /** Seconds, summed over runs. */
  duration: number;
}

interface Test {
  outcome: Outcome;
  sawFail: boolean;
  sawPass: boolean;
  flaky: boolean;
}

const RANK: Record<Outcome, number> = { skipped: 0, success: 1, failure: 2, error: 3 };

export class Tally implements ReportSink {
  private readonly tests = new Map<string, Test>();
  /** Display names of flaky candidates (tests that failed at least once). */
  private readonly names = new Map<string, string>();
  private readonly failureRuns = new Map<string, Failure>();
  private readonly slow: { name: string; time: number }[] = [];
  private declared: SuiteTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  runs = 0;
  duration = 0;
  files = 0;

  constructor(
    private readonly keepFailures = 1000,
    private readonly keepSlowest = 10,
  ) {}

  run(run: TestRun): void {
    this.runs++;
    this.duration += run.time;
    const key = run.id ?? `${run.classname}\u0000${run.name}`;
    let t = this.tests.get(key);
    if (!t) {
      t = { outcome: run.outcome, sawFail: false, sawPass: false, flaky: false };
      this.tests.set(key, t);
    } else if (RANK[run.outcome] > RANK[t.outcome]) t.outcome = run.outcome;
    if (run.outcome === 'failure' || run.outcome === 'error' || run.flaky) {
      this.names.set(key, run.classname ? `${run.classname} › ${run.name}` : run.name);
    }
    if (run.outcome === 'failure' || run.outcome === 'error') {
      t.sawFail = true;
      if (!this.failureRuns.has(key) && this.failureRuns.size < this.keepFailures) {
        const f: Failure = { classname: run.classname, name: run.name, outcome: run.outcome };
        if (run.message) f.message = run.message;
        if (run.details) f.details = run.details;
        if (run.file) f.file = run.file;
        if (run.line !== undefined) f.line = run.line;
        this.failureRuns.set(key, f);
      }
    }
    if (run.outcome === 'success') t.sawPass = true;
    if (run.flaky) t.flaky = true;
    this.noteTime(run);
  }

  totals(totals: SuiteTotals): void {
    this.declared.tests += totals.tests;
    this.declared.failures += totals.failures;
    this.declared.errors += totals.errors;
    this.declared.skipped += totals.skipped;
  }

  private noteTime(run: TestRun): void {
    if (this.keepSlowest === 0 || run.time <= 0) return;
    const min = this.slow.length < this.keepSlowest ? -1 : (this.slow.at(-1) as { time: number }).time;
    if (run.time <= min) return;
    this.slow.push({ name: run.classname ? `${run.classname} › ${run.name}` : run.name, time: run.time });
    this.slow.sort((a, b) => b.time - a.time);
    if (this.slow.length > this.keepSlowest) this.slow.pop();
  }

  private finalOutcome(t: Test): Outcome {
    if (t.sawFail && t.sawPass) return 'success';
    return t.outcome;
  }

  result(): Totals {
    const c: Totals = { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, runs: this.runs, duration: this.duration };
    for (const t of this.tests.values()) {
      c.total++;
      const o = this.finalOutcome(t);
      if (o === 'success') c.passed++;
      else if (o === 'failure') c.failed++;
      else if (o === 'error') c.errors++;
      else c.skipped++;
      if ((t.sawFail && t.sawPass) || (t.flaky && o === 'success')) c.flaky++;
    }
    const d = this.declared;
    c.total += d.tests;
    c.failed += d.failures;
    c.errors += d.errors;
    c.skipped += d.skipped;
    c.passed += Math.max(0, d.tests - d.failures - d.errors - d.skipped);
    c.runs += d.tests;
    return c;
  }

  /** Failures of tests that did not pass in the end, in report order. */
  failures(): Failure[] {
    return [...this.failureRuns.entries()]
      .filter(([key]) => {
        const t = this.tests.get(key) as Test;
        return !(t.sawFail && t.sawPass);
      })
      .map(([, f]) => f);
  }

  flakyTests(): string[] {
    const out: string[] = [];
    for (const [key, t] of this.tests) {
      if ((t.sawFail && t.sawPass) || (t.flaky && this.finalOutcome(t) === 'success')) out.push(this.names.get(key) ?? key);
    }
    return out;
  }

  slowest(): { name: string; time: number }[] {
    return [...this.slow];
  }
}
