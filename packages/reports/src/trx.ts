/**
 * .NET TRX (MSTest, xUnit and NUnit loggers). Every result element is a test
 * (UnitTestResult, TestResultAggregation, GenericTestResult...); a result with InnerResults
 * (data-driven rows, ordered tests, aggregations) is counted through its inner results, and
 * also on its own when it failed while none of them did. Outcomes map through rules.ts.
 */
import { MAX_TEXT, ReportError, type ReportSink, type TestRun } from './model.js';
import { trxOutcome } from './rules.js';
import { streamXml } from './xml.js';

/** `00:00:01.2345678` -> seconds. */
function duration(text: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

const isResult = (name: string) => name === 'TestResultAggregation' || /^\w*TestResult$/.test(name);

interface Frame {
  run: TestRun;
  inner: number;
  innerFailed: number;
}

export async function parseTrx(file: string, sink: ReportSink, display = file): Promise<void> {
  const classes = new Map<string, string>();
  let root: string | undefined;
  let definition: string | undefined;
  let inResults = false;
  const frames: Frame[] = [];
  let capture: 'message' | 'stack' | undefined;
  let text = '';
  await streamXml(
    file,
    {
      open(name: string, a: Record<string, string>) {
        if (root === undefined) {
          root = name;
          if (root !== 'TestRun')
            throw new ReportError(display, `not a TRX report (root element <${root}>, expected <TestRun>)`);
        }
        if (name === 'Results') inResults = true;
        else if (name === 'UnitTest') definition = a.id;
        else if (name === 'TestMethod' && definition && a.className) classes.set(definition, a.className);
        else if (inResults && isResult(name)) {
          const parent = frames.at(-1);
          if (parent) parent.inner++;
          frames.push({
            run: {
              classname: classes.get(a.testId ?? '') ?? '',
              name: a.testName ?? '',
              outcome: trxOutcome(a.outcome),
              time: duration(a.duration),
            },
            inner: 0,
            innerFailed: 0,
          });
        } else if (frames.length && (name === 'Message' || name === 'StackTrace')) {
          capture = name === 'Message' ? 'message' : 'stack';
          text = '';
        }
      },
      wantsText: () => capture !== undefined,
      wantsAttributes: (name: string) => name !== 'StdOut' && name !== 'StdErr',
      text(t: string) {
        if (capture && text.length < MAX_TEXT) text += t.slice(0, MAX_TEXT - text.length);
      },
      close(name: string) {
        const frame = frames.at(-1);
        if (capture && (name === 'Message' || name === 'StackTrace')) {
          const value = text.trim();
          if (frame && value && capture === 'message' && !frame.run.message) frame.run.message = value;
          if (frame && value && capture === 'stack') frame.run.details = value;
          capture = undefined;
        } else if (name === 'UnitTest') definition = undefined;
        else if (name === 'Results') inResults = false;
        else if (frame && inResults && isResult(name)) {
          frames.pop();
          const { run } = frame;
          const failed = run.outcome === 'failure' || run.outcome === 'error';
          if (failed) {
            const parent = frames.at(-1);
            if (parent) parent.innerFailed++;
          } else {
            delete run.message;
            delete run.details;
          }
          // A parent is counted through its rows, unless it failed and no row says why.
          if (frame.inner === 0 || (failed && frame.innerFailed === 0)) sink.run(run);
        }
      },
    },
    display,
  );
  if (root === undefined) throw new ReportError(display, 'empty file: no XML element found');
}
