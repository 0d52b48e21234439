/**
 * JUnit XML in its dialects: jest-junit, pytest, surefire/failsafe (flakyFailure,
 * rerunFailure), mocha, go-junit-report, nextest, catch2, bazel, tst (status="disabled"),
 * nested suites, and suites that carry only totals.
 */
import type { SaxesTagPlain } from 'saxes';
import { MAX_TEXT, ReportError, type Outcome, type ReportSink, type TestRun } from './model.js';
import { streamXml } from './xml.js';

const RESULT = new Set(['failure', 'error', 'skipped']);
const FLAKY = new Set(['flakyFailure', 'flakyError']);
const RERUN = new Set(['rerunFailure', 'rerunError']);
const SKIP_STATUS = new Set(['disabled', 'skipped', 'notrun', 'ignored']);

interface Suite {
  name: string;
  file?: string;
  cases: number;
  nested: number;
  attrs: Record<string, string>;
}

const num = (v: string | undefined) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

export async function parseJUnit(file: string, sink: ReportSink, display = file): Promise<void> {
  const suites: Suite[] = [];
  let root: string | undefined;
  let current: (TestRun & { results: Set<string>; status?: string }) | undefined;
  let capture: 'message' | undefined;
  let anonymous = 0;
  let text = '';
  await streamXml(
    file,
    {
      open(tag: SaxesTagPlain) {
        const a = tag.attributes as Record<string, string>;
        if (root === undefined) {
          root = tag.name;
          if (root !== 'testsuites' && root !== 'testsuite') {
            throw new ReportError(display, `not a JUnit XML report (root element <${root}>, expected <testsuites> or <testsuite>)`);
          }
        }
        if (tag.name === 'testsuite') {
          const parent = suites.at(-1);
          if (parent) parent.nested++;
          suites.push({ name: a.name ?? parent?.name ?? '', file: a.file ?? parent?.file, cases: 0, nested: 0, attrs: a });
        } else if (tag.name === 'testcase') {
          const suite = suites.at(-1);
          if (suite) suite.cases++;
          const line = a.line !== undefined ? Number(a.line) : undefined;
          current = {
            // A test case with neither class nor name is a test of its own.
            ...(a.name === undefined && a.classname === undefined ? { id: `${display}#${++anonymous}` } : {}),
            classname: a.classname || a.class || suite?.name || '',
            name: a.name ?? '',
            outcome: 'success',
            time: num(a.time ?? (a.duration !== undefined ? String(num(a.duration) / 1000) : undefined)),
            results: new Set(),
            ...(a.status ? { status: a.status.toLowerCase() } : {}),
            ...(a.file ?? suite?.file ? { file: a.file ?? suite?.file } : {}),
            ...(line !== undefined && Number.isFinite(line) ? { line } : {}),
          };
        } else if (current) {
          if (RESULT.has(tag.name)) {
            current.results.add(tag.name);
            // catch2 and others put the location on the failure element.
            if (a.file && !current.file) current.file = a.file;
            if (a.line && current.line === undefined && Number.isFinite(Number(a.line))) current.line = Number(a.line);
            if (tag.name !== 'skipped' || !current.message) {
              const message = a.message ?? a.type;
              if (message) current.message = message.slice(0, MAX_TEXT);
              capture = tag.name === 'skipped' ? undefined : 'message';
              text = '';
            }
          } else if (FLAKY.has(tag.name)) {
            current.flaky = true;
          } else if (RERUN.has(tag.name)) {
            current.results.add(tag.name === 'rerunError' ? 'error' : 'failure');
          }
        }
      },
      text(t: string) {
        if (capture && text.length < MAX_TEXT) text += t.slice(0, MAX_TEXT - text.length);
      },
      close(name: string) {
        if (capture && (name === 'failure' || name === 'error') && current) {
          const details = text.trim();
          if (details) current.details = details;
          capture = undefined;
        } else if (name === 'testcase' && current) {
          const { results, status, ...run } = current;
          run.outcome = outcomeOf(results, status);
          sink.run(run);
          current = undefined;
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

function outcomeOf(results: Set<string>, status?: string): Outcome {
  if (results.has('error')) return 'error';
  if (results.has('failure')) return 'failure';
  if (results.has('skipped')) return 'skipped';
  if (status && SKIP_STATUS.has(status)) return 'skipped';
  return 'success';
}
