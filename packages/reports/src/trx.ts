/** .NET TRX (MSTest, xUnit and NUnit loggers): UnitTestResult elements, class names from TestDefinitions. */
import { MAX_TEXT, ReportError, type Outcome, type ReportSink, type TestRun } from './model.js';
import { streamXml } from './xml.js';

const OUTCOMES: Record<string, Outcome> = {
  passed: 'success',
  passedbutrunaborted: 'success',
  completed: 'success',
  warning: 'success',
  failed: 'failure',
  timeout: 'failure',
  error: 'error',
};

/** `00:00:01.2345678` -> seconds. */
function duration(text: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(text ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

export async function parseTrx(file: string, sink: ReportSink, display = file): Promise<void> {
  const classes = new Map<string, string>();
  let root: string | undefined;
  let definition: string | undefined;
  let result: TestRun | undefined;
  let depth = 0;
  let capture: 'message' | 'stack' | undefined;
  let text = '';
  await streamXml(
    file,
    {
      open(tagName: string, a: Record<string, string>) {
        const tag = { name: tagName };
        if (root === undefined) {
          root = tag.name;
          if (root !== 'TestRun') throw new ReportError(display, `not a TRX report (root element <${root}>, expected <TestRun>)`);
        }
        if (tag.name === 'UnitTest') definition = a.id;
        else if (tag.name === 'TestMethod' && definition && a.className) classes.set(definition, a.className);
        else if (tag.name === 'UnitTestResult') {
          if (result) depth++; // InnerResults of a data-driven test: counted through the parent
          else {
            result = {
              ...(a.testId ? { id: `${a.testId}\u0000${a.testName ?? ""}` } : {}),
              classname: classes.get(a.testId ?? '') ?? '',
              name: a.testName ?? '',
              outcome: OUTCOMES[(a.outcome ?? '').toLowerCase()] ?? 'skipped',
              time: duration(a.duration),
            };
          }
        } else if (result && depth === 0 && (tag.name === 'Message' || tag.name === 'StackTrace')) {
          capture = tag.name === 'Message' ? 'message' : 'stack';
          text = '';
        }
      },
      wantsText: () => capture !== undefined,
      text(t: string) {
        if (capture && text.length < MAX_TEXT) text += t.slice(0, MAX_TEXT - text.length);
      },
      close(name: string) {
        if (capture && (name === 'Message' || name === 'StackTrace') && result) {
          const value = text.trim();
          if (value && capture === 'message' && !result.message) result.message = value;
          if (value && capture === 'stack') result.details = value;
          capture = undefined;
        } else if (name === 'UnitTest') definition = undefined;
        else if (name === 'UnitTestResult') {
          if (depth > 0) depth--;
          else if (result) {
            if (result.outcome === 'success' || result.outcome === 'skipped') {
              delete result.message;
              delete result.details;
            }
            sink.run(result);
            result = undefined;
          }
        }
      },
    },
    display,
  );
  if (root === undefined) throw new ReportError(display, 'empty file: no XML element found');
}
