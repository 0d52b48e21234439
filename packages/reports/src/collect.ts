/**
 * Reads every report matching the globs into one tally. A report that cannot be read is
 * recorded with its file and line; the others are still read.
 */
import { relative } from 'node:path';
import { parseReport } from './detect.js';
import { ReportError } from './model.js';
import { Tally, type Failure, type Totals } from './tally.js';

export interface Collected {
  files: string[];
  totals: Totals;
  failures: Failure[];
  flaky: string[];
  slowest: { name: string; time: number }[];
  problems: ReportError[];
}

export async function collectReports(files: string[], workspace: string, keepFailures = 50): Promise<Collected> {
  const tally = new Tally(keepFailures);
  const problems: ReportError[] = [];
  for (const file of files) {
    const shown = relative(workspace, file) || file;
    try {
      await parseReport(file, tally, shown);
    } catch (error) {
      problems.push(error instanceof ReportError ? error : new ReportError(shown, (error as Error).message));
    }
  }
  return {
    files,
    totals: tally.result(),
    failures: tally.failures(),
    flaky: tally.flakyTests(),
    slowest: tally.slowest(),
    problems,
  };
}

export type FailOn = 'failures' | 'errors' | 'none';

export interface Verdict {
  conclusion: 'success' | 'failure';
  /** Why the step fails, when it does. */
  reason?: string;
}

/** Decides the outcome: what failed, against fail-on and min-tests. */
export function judge(c: Collected, options: { failOn: FailOn; minTests: number; commandExit?: number }): Verdict {
  const t = c.totals;
  const reasons: string[] = [];
  if (options.commandExit !== undefined && options.commandExit !== 0)
    reasons.push(`the test command exited with code ${options.commandExit}`);
  if (c.problems.length)
    reasons.push(`${c.problems.length} report(s) could not be read (first: ${c.problems[0]?.message})`);
  if (options.failOn === 'failures' && t.failed + t.errors > 0)
    reasons.push(`${t.failed} failed and ${t.errors} errored of ${t.total} tests`);
  if (options.failOn === 'errors' && t.errors > 0) reasons.push(`${t.errors} of ${t.total} tests errored`);
  if (t.total < options.minTests)
    reasons.push(`only ${t.total} tests ran, fewer than min-tests ${options.minTests} (check the reports globs)`);
  const failing = t.failed + t.errors > 0 || reasons.length > 0;
  if (options.failOn === 'none') return { conclusion: failing ? 'failure' : 'success' };
  return reasons.length
    ? { conclusion: 'failure', reason: reasons.join('; ') }
    : { conclusion: failing ? 'failure' : 'success' };
}
