/**
 * Aggregates test runs into counts. Every run is a test (see rules.ts): nothing is merged by
 * name, so a pass never hides a failure. Memory: a few counters, the first failures and flaky
 * names (as many as are shown) and the slowest tests, whatever the number of tests.
 */
import type { ReportSink, SuiteTotals, TestRun } from './model.js';

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

/**
 * A copy of a string that does not keep its source alive: parsed strings are slices of the
 * read chunks, and keeping one slice would keep its whole chunk in memory.
 */
export function detach<T extends string | undefined>(s: T): T {
  return (s === undefined ? s : (s + ' ').slice(0, -1)) as T;
}

const display = (run: TestRun) => detach(run.classname ? `${run.classname} › ${run.name}` : run.name);

export class Tally implements ReportSink {
  private readonly counts = { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0 };
  private readonly flakyNames: string[] = [];
  private readonly kept: Failure[] = [];
  private readonly slow: { name: string; time: number }[] = [];
  private declared: SuiteTotals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  runs = 0;
  duration = 0;
  files = 0;

  /**
   * What is kept is what is shown (the job summary lists 50 failures and 50 flaky tests, a step
   * makes at most 50 annotations): each kept string can be 64 KiB, so keeping more would let
   * a report of many failures with long names or traces hold hundreds of megabytes.
   */
  constructor(
    private readonly keepFailures = 50,
    private readonly keepSlowest = 10,
    private readonly keepFlaky = 50,
  ) {}

  run(run: TestRun): void {
    this.runs += 1 + (run.retries ?? 0);
    this.duration += run.time;
    const c = this.counts;
    c.total++;
    if (run.outcome === 'success') c.passed++;
    else if (run.outcome === 'failure') c.failed++;
    else if (run.outcome === 'error') c.errors++;
    else c.skipped++;
    if (run.flaky && run.outcome === 'success') {
      c.flaky++;
      if (this.flakyNames.length < this.keepFlaky) this.flakyNames.push(display(run));
    }
    if (run.outcome === 'failure' || run.outcome === 'error') {
      if (this.kept.length < this.keepFailures) {
        const f: Failure = { classname: detach(run.classname), name: detach(run.name), outcome: run.outcome };
        if (run.message) f.message = detach(run.message);
        if (run.details) f.details = detach(run.details);
        if (run.file) f.file = detach(run.file);
        if (run.line !== undefined) f.line = run.line;
        this.kept.push(f);
      }
    }
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
    this.slow.push({ name: display(run), time: run.time });
    this.slow.sort((a, b) => b.time - a.time);
    if (this.slow.length > this.keepSlowest) this.slow.pop();
  }

  result(): Totals {
    const c: Totals = { ...this.counts, runs: this.runs, duration: this.duration };
    const d = this.declared;
    c.total += d.tests;
    c.failed += d.failures;
    c.errors += d.errors;
    c.skipped += d.skipped;
    c.passed += Math.max(0, d.tests - d.failures - d.errors - d.skipped);
    c.runs += d.tests;
    return c;
  }

  /** The first failed and errored tests, in report order (at most keepFailures of them). */
  failures(): Failure[] {
    return [...this.kept];
  }

  flakyTests(): string[] {
    return [...this.flakyNames];
  }

  slowest(): { name: string; time: number }[] {
    return [...this.slow];
  }
}
