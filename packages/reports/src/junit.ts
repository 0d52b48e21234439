/**
 * JUnit XML in its dialects: jest-junit, pytest, surefire/failsafe (flakyFailure,
 * rerunFailure), mocha, go-junit-report, nextest, catch2, bazel, tst (status="disabled"),
 * nested suites, and suites that carry only totals.
 */
import { MAX_TEXT, ReportError, type Outcome, type ReportSink, type TestRun } from './model.js';
import { JUNIT_RETRY_ATTEMPT, JUNIT_RETRY_PASSED } from './rules.js';
import { streamXml } from './xml.js';
import { decimalAt, type AttributeView, type Attributes } from './xml-view.js';

const FAILURE = 1;
const ERROR = 2;
const SKIPPED = 4;
const RESULT: Record<string, number | undefined> = { failure: FAILURE, error: ERROR, skipped: SKIPPED };
/**
 * The attributes read, per element; every other element's are skipped (system-out, properties,
 * the retry elements: only their presence counts). Naming them spares a string per attribute.
 */
const RESULT_ATTRIBUTES = ['message', 'type', 'file', 'line'];
const ATTRIBUTES: Record<string, readonly string[] | 'view' | undefined> = {
  testsuite: ['name', 'file', 'tests', 'failures', 'errors', 'skipped', 'disabled'],
  // Read on demand: a passing test's names and location are read only if it is shown.
  testcase: 'view',
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

/** `digits[.digits]` read by hand, exactly as Number() reads it (see decimalAt). */
export const plainDecimal = (v: string): number | undefined => decimalAt(v, 0, v.length);
const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : 0);

/**
 * A <testcase>: its outcome and time are read as it streams, its names and location only when
 * the tally asks (a failure, a flaky or a slow test), from the tag's kept attribute text.
 */
class JUnitCase implements TestRun {
  outcome: Outcome = 'success';
  /** Result elements seen (FAILURE | ERROR | SKIPPED). */
  results = 0;
  // Set only on the few test cases that have them (declared: a passing test stays small).
  declare message?: string;
  declare details?: string;
  declare flaky?: boolean;
  declare retries?: number;
  declare status?: string;
  declare rerunFailed?: number;
  /** The location a result element gives, for a test case without its own (catch2). */
  declare resultFile?: string;
  declare resultLine?: number;

  constructor(
    private readonly attrs: Attributes,
    private readonly suite: Suite | undefined,
    readonly time: number,
  ) {}

  get classname(): string {
    return this.attrs.get('classname') || this.attrs.get('class') || this.suite?.name || '';
  }

  get name(): string {
    return this.attrs.get('name') ?? '';
  }

  get file(): string | undefined {
    return (this.attrs.get('file') ?? this.suite?.file) || this.resultFile;
  }

  get line(): number | undefined {
    const own = this.attrs.get('line');
    const line = own !== undefined ? Number(own) : NaN;
    return Number.isFinite(line) ? line : this.resultLine;
  }
}

function openCase(view: AttributeView, suite: Suite | undefined): JUnitCase {
  const time = view.number('time');
  const duration = time === undefined ? view.number('duration') : undefined;
  const c = new JUnitCase(view.keep(), suite, time !== undefined ? finite(time) : finite(finite(duration) / 1000));
  const status = view.get('status');
  if (status) c.status = status.toLowerCase();
  return c;
}

export async function parseJUnit(file: string, sink: ReportSink, display = file): Promise<void> {
  const suites: Suite[] = [];
  let root: string | undefined;
  let current: JUnitCase | undefined;
  let capture: 'message' | undefined;
  let text = '';
  let textCut = 0;
  let suiteError: TestRun | undefined;
  await streamXml(
    file,
    {
      open(name: string, a: Record<string, string>, view?: AttributeView) {
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
          current = openCase(view as AttributeView, suite);
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
            if (a.file && current.resultFile === undefined) current.resultFile = a.file;
            if (a.line && current.resultLine === undefined && Number.isFinite(Number(a.line)))
              current.resultLine = Number(a.line);
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
          current.outcome = outcomeOf(current.results || (current.rerunFailed ?? 0), current.status);
          sink.run(current);
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
