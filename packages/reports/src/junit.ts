/**
 * JUnit XML in its dialects: jest-junit, pytest, surefire/failsafe (flakyFailure,
 * rerunFailure), mocha, go-junit-report, nextest, catch2, bazel, tst (status="disabled"),
 * nested suites, and suites that carry only totals.
 */
import { MAX_TEXT, ReportError, type Outcome, type ReportSink, type TestRun } from './model.js';
import { JUNIT_RETRY_ATTEMPT, JUNIT_RETRY_PASSED } from './rules.js';
import { streamXml } from './xml.js';

const FAILURE = 1;
const ERROR = 2;
const SKIPPED = 4;
const RESULT: Record<string, number | undefined> = { failure: FAILURE, error: ERROR, skipped: SKIPPED };
/**
 * The attributes read, per element; every other element's are skipped (system-out, properties,
 * the retry elements: only their presence counts). Naming them spares a string per attribute.
 */
const RESULT_ATTRIBUTES = ['message', 'type', 'file', 'line'];
const ATTRIBUTES: Record<string, readonly string[] | undefined> = {
  testsuite: ['name', 'file', 'tests', 'failures', 'errors', 'skipped', 'disabled'],
  testcase: ['classname', 'class', 'name', 'time', 'duration', 'status', 'file', 'line'],
  failure: RESULT_ATTRIBUTES,
  error: RESULT_ATTRIBUTES,
  skipped: RESULT_ATTRIBUTES,
};
const SKIP_STATUS = new Set(['disabled', 'skipped', 'notrun', 'ignored']);

interface Suite {
  name: string;
  file?: string;
  cases: number;
  nested: number;
  attrs: Record<string, string>;
}

/** A finite number, else 0. Plain decimals (`0.123`, nearly every time attribute) skip Number(). */
const num = (v: string | undefined) => {
  if (v === undefined) return 0;
  const n = plainDecimal(v) ?? Number(v);
  return Number.isFinite(n) ? n : 0;
};

/**
 * `digits[.digits]` read by hand, exactly as Number() reads it: the digits as an integer
 * (exact below 2^53) divided by a power of ten (exact up to 10^22) is the correctly rounded
 * quotient. Anything else (signs, exponents, long strings) is left to Number().
 */
export function plainDecimal(v: string): number | undefined {
  if (v.length === 0 || v.length > 15) return undefined;
  let int = 0;
  let scale = 0;
  let dot = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      int = int * 10 + (c - 48);
      if (dot) scale++;
    } else if (c === 46 && !dot && i > 0 && i < v.length - 1) dot = true;
    else return undefined;
  }
  return scale ? int / 10 ** scale : int;
}

export async function parseJUnit(file: string, sink: ReportSink, display = file): Promise<void> {
  const suites: Suite[] = [];
  let root: string | undefined;
  let current: (TestRun & { results: number; status?: string; rerunFailed?: number }) | undefined;
  let capture: 'message' | undefined;
  let text = '';
  let textCut = 0;
  let suiteError: TestRun | undefined;
  await streamXml(
    file,
    {
      open(name: string, a: Record<string, string>) {
        if (root === undefined) {
          root = name;
          if (root !== 'testsuites' && root !== 'testsuite') {
            throw new ReportError(
              display,
              `not a JUnit XML report (root element <${root}>, expected <testsuites> or <testsuite>)`,
            );
          }
        }
        if (name === 'testsuite') {
          const parent = suites.at(-1);
          if (parent) parent.nested++;
          suites.push({
            name: a.name ?? parent?.name ?? '',
            file: a.file ?? parent?.file,
            cases: 0,
            nested: 0,
            attrs: a,
          });
        } else if (name === 'testcase') {
          const suite = suites.at(-1);
          if (suite) suite.cases++;
          current = {
            classname: a.classname || a.class || suite?.name || '',
            name: a.name ?? '',
            outcome: 'success',
            time: num(a.time ?? (a.duration !== undefined ? String(num(a.duration) / 1000) : undefined)),
            results: 0,
          };
          if (a.status) current.status = a.status.toLowerCase();
          const file = a.file ?? suite?.file;
          if (file) current.file = file;
          const line = a.line !== undefined ? Number(a.line) : NaN;
          if (Number.isFinite(line)) current.line = line;
        } else if (!current && (name === 'error' || name === 'failure') && suites.length) {
          // A failure of the suite itself, outside any test case (TAP::Formatter::JUnit writes
          // one when a test file exits non-zero): an errored test of its own, never ignored.
          const suite = suites.at(-1) as Suite;
          suiteError = {
            classname: suite.name,
            name: `${suite.name || 'suite'} (the suite itself)`,
            outcome: 'error',
            time: 0,
            message: a.message ?? a.type ?? `the suite reported an <${name}>`,
          };
        } else if (current) {
          const bit = RESULT[name];
          if (bit !== undefined) {
            current.results |= bit;
            // catch2 and others put the location on the failure element.
            if (a.file && !current.file) current.file = a.file;
            if (a.line && current.line === undefined && Number.isFinite(Number(a.line))) current.line = Number(a.line);
            if (name !== 'skipped' || !current.message) {
              const message = a.message ?? a.type;
              if (message) current.message = message;
              capture = name === 'skipped' ? undefined : 'message';
              text = '';
              textCut = 0;
            }
          } else if (JUNIT_RETRY_PASSED.has(name)) {
            current.flaky = true;
            current.retries = (current.retries ?? 0) + 1;
          } else if (JUNIT_RETRY_ATTEMPT.has(name)) {
            current.flaky = true;
            current.retries = (current.retries ?? 0) + 1;
            // Surefire writes <rerunFailure> next to the final <failure>; alone it still failed.
            if (name === 'rerunFailure') current.rerunFailed = FAILURE;
            if (name === 'rerunError') current.rerunFailed = ERROR;
          }
        }
      },
      wantsText: () => capture !== undefined,
      wantsAttributes: (name: string) => ATTRIBUTES[name] ?? false,
      text(t: string) {
        if (!capture) return;
        const room = MAX_TEXT - text.length;
        if (room > 0) text += t.length > room ? t.slice(0, room) : t;
        if (t.length > room) textCut += t.length - Math.max(room, 0);
      },
      close(name: string) {
        if (capture && (name === 'failure' || name === 'error') && current) {
          const details = text.trim();
          if (details) current.details = textCut ? `${details}\n… [${textCut} more characters cut]` : details;
          capture = undefined;
        } else if (name === 'testcase' && current) {
          const c = current;
          const run: TestRun = {
            classname: c.classname,
            name: c.name,
            outcome: outcomeOf(c.results || (c.rerunFailed ?? 0), c.status),
            time: c.time,
          };
          if (c.file !== undefined) run.file = c.file;
          if (c.line !== undefined) run.line = c.line;
          if (c.message !== undefined) run.message = c.message;
          if (c.details !== undefined) run.details = c.details;
          if (c.flaky) run.flaky = c.flaky;
          if (c.retries !== undefined) run.retries = c.retries;
          sink.run(run);
          current = undefined;
        } else if (suiteError && (name === 'error' || name === 'failure')) {
          sink.run(suiteError);
          suiteError = undefined;
        } else if (name === 'testsuite') {
          const suite = suites.pop();
          if (suite && suite.cases === 0 && suite.nested === 0 && suite.attrs.tests !== undefined) {
            sink.totals({
              tests: num(suite.attrs.tests),
              failures: num(suite.attrs.failures),
              errors: num(suite.attrs.errors),
              skipped: num(suite.attrs.skipped) + num(suite.attrs.disabled),
            });
          }
        }
      },
    },
    display,
  );
  if (root === undefined) throw new ReportError(display, 'empty file: no XML element found');
}

function outcomeOf(results: number, status?: string): Outcome {
  if (results & ERROR) return 'error';
  if (results & FAILURE) return 'failure';
  if (results & SKIPPED) return 'skipped';
  if (status && SKIP_STATUS.has(status)) return 'skipped';
  return 'success';
}
