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

/** A test's state packed in a small integer: outcome rank (2 bits) and three flags. */
const SAW_FAIL = 4;
const SAW_PASS = 8;
const FLAKY_MARK = 16;
const OUTCOMES: Outcome[] = ['skipped', 'success', 'failure', 'error'];

/**
 * cyrb53: a 53-bit string hash. Tests are kept by hash so a report with millions of test
 * cases costs a number per test; two different tests colliding is ~1e-4 at 2 million tests.
 */
export function hash53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const isFlaky = (t: number) => (t & SAW_FAIL && t & SAW_PASS) || (t & FLAKY_MARK && finalOutcome(t) === 'success');
function finalOutcome(t: number): Outcome {
  if (t & SAW_FAIL && t & SAW_PASS) return 'success';
  return OUTCOMES[t & 3] as Outcome;
}

/**
 * A copy of a string that does not keep its source alive: parsed strings are slices of the
 * read chunks, and keeping one slice would keep its whole chunk in memory.
 */
export function detach<T extends string | undefined>(s: T): T {
  return (s === undefined ? s : (s + ' ').slice(0, -1)) as T;
}

const RANK: Record<Outcome, number> = { skipped: 0, success: 1, failure: 2, error: 3 };

export class Tally implements ReportSink {
  private readonly tests = new Map<number, number>();
  /** Display names of flaky candidates (tests that failed at least once, or were marked flaky). */
  private readonly names = new Map<number, string>();
  private readonly failureRuns = new Map<number, Failure>();
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
    const key = hash53(run.id ?? `${run.classname}\u0000${run.name}`);
    const rank = RANK[run.outcome];
    const before = this.tests.get(key);
    let t = before === undefined ? rank : (before & 3) >= rank ? before : (before & ~3) | rank;
    const failed = run.outcome === 'failure' || run.outcome === 'error';
    if (failed) t |= SAW_FAIL;
    if (run.outcome === 'success') t |= SAW_PASS;
    if (run.flaky) t |= FLAKY_MARK;
    this.tests.set(key, t);
    if ((failed || run.flaky) && !this.names.has(key)) this.names.set(key, detach(run.classname ? `${run.classname} › ${run.name}` : run.name));
    if (failed && !this.failureRuns.has(key) && this.failureRuns.size < this.keepFailures) {
      const f: Failure = { classname: detach(run.classname), name: detach(run.name), outcome: run.outcome as Failure['outcome'] };
      if (run.message) f.message = detach(run.message);
      if (run.details) f.details = detach(run.details);
      if (run.file) f.file = detach(run.file);
      if (run.line !== undefined) f.line = run.line;
      this.failureRuns.set(key, f);
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
    this.slow.push({ name: detach(run.classname ? `${run.classname} › ${run.name}` : run.name), time: run.time });
    this.slow.sort((a, b) => b.time - a.time);
    if (this.slow.length > this.keepSlowest) this.slow.pop();
  }

  result(): Totals {
    const c: Totals = { total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, flaky: 0, runs: this.runs, duration: this.duration };
    for (const t of this.tests.values()) {
      c.total++;
      const o = finalOutcome(t);
      if (o === 'success') c.passed++;
      else if (o === 'failure') c.failed++;
      else if (o === 'error') c.errors++;
      else c.skipped++;
      if (isFlaky(t)) c.flaky++;
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
      .filter(([key]) => finalOutcome(this.tests.get(key) as number) !== 'success')
      .map(([, f]) => f);
  }

  flakyTests(): string[] {
    const out: string[] = [];
    for (const [key, t] of this.tests) if (isFlaky(t)) out.push(this.names.get(key) ?? '');
    return out;
  }

  slowest(): { name: string; time: number }[] {
    return [...this.slow];
  }
}
