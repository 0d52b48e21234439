/**
 * TAP 12, 13 and 14, read line by line. Every test point is a test (numbered or not, named
 * alike or not), inside the subtest it belongs to: a TAP 14 subtest (indented by 4, announced
 * by `# Subtest: name`) is counted through its children, and its own closing point counts only
 * when it failed while none of its children did. SKIP and TODO directives skip. `Bail out!`
 * and a test count that does not match the top-level plan are errors of the report (the
 * points read still count), never tests.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MAX_TEXT, ReportError, type ReportSink, type TestRun } from './model.js';

/**
 * Every line and YAML block is read by a scanner in one pass, or by a regex with no two
 * quantifiers competing for the same characters: the text comes from a pull request's tests, and
 * a regex that backtracks (a 5 KB test point held a runner for minutes) would let it hold the job.
 */
const DIRECTIVE = /^(SKIP|TODO)\S*\s*(.*)$/i;
const SUBTEST = /^#\s*Subtest:\s*(.*)$/i;
const PLAN = /^1\.\.(\d+)\b/;

interface Level {
  /** `# Subtest:` name announced for the points of this level. */
  name?: string;
  /** Test points seen at this level. */
  points: number;
  failedPoints: number;
}

export async function parseTap(file: string, sink: ReportSink, display = file): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let seen = false;
  let lineNo = 0;
  let plan: number | undefined;
  let bailedOut: string | undefined;
  const levels: Level[] = [{ points: 0, failedPoints: 0 }];
  let pending: { run: TestRun; indent: number } | undefined;
  const braces: { indent: number; level: number; run: TestRun }[] = [];
  let yaml: string[] | undefined;
  let yamlSize = 0;
  let yamlIndent = 0;
  const flush = () => {
    if (!pending) return;
    if (yaml) applyYaml(pending.run, yaml);
    sink.run(pending.run);
    pending = undefined;
    yaml = undefined;
  };
  const path = (depth: number) =>
    levels
      .slice(1, depth + 1)
      .map((l) => l.name)
      .filter(Boolean)
      .join(' › ');
  try {
    for await (const raw of lines) {
      lineNo++;
      const indent = raw.length - raw.trimStart().length;
      const line = raw.trim();
      if (yaml !== undefined) {
        if (line === '...' && indent === yamlIndent) {
          flush();
          continue;
        }
        if (yamlSize < MAX_TEXT) {
          const kept = raw.slice(yamlIndent, yamlIndent + MAX_TEXT - yamlSize);
          yaml.push(kept);
          yamlSize += kept.length + 1;
        }
        continue;
      }
      if (line === '---' && pending) {
        yaml = [];
        yamlSize = 0;
        yamlIndent = indent;
        continue;
      }
      const level = Math.floor(indent / 4);
      const subtest = SUBTEST.exec(line);
      if (subtest) {
        flush();
        while (levels.length < level + 1) levels.push({ points: 0, failedPoints: 0 });
        levels.length = level + 1;
        levels.push({ name: (subtest[1] as string).trim(), points: 0, failedPoints: 0 });
        continue;
      }
      if (/^TAP version \d+$/i.test(line)) {
        seen = true;
        continue;
      }
      const planned = PLAN.exec(line);
      if (planned) {
        seen = true;
        if (level === 0 && plan === undefined) plan = Number(planned[1]);
        continue;
      }
      if (line === '}' && braces.length && (braces.at(-1) as { indent: number }).indent === indent) {
        // The end of a buffered subtest (Test2's `ok 3 - name {` ... `}`).
        flush();
        const group = braces.pop() as { indent: number; level: number; run: TestRun };
        const children = levels[group.level + 1];
        const childFailures = children?.failedPoints ?? 0;
        levels.length = group.level + 1;
        const here = levels[group.level] as Level;
        if (childFailures > 0) here.failedPoints++;
        if (!children?.points || (group.run.outcome === 'failure' && childFailures === 0)) sink.run(group.run);
        continue;
      }
      if (/^Bail out!/i.test(line)) {
        flush();
        seen = true;
        bailedOut = line.slice('Bail out!'.length).trim() || 'no reason given';
        continue;
      }
      const m = testPoint(line);
      if (!m) continue;
      flush();
      seen = true;
      const { status, number, desc, comment } = m;
      const directive = DIRECTIVE.exec(comment);
      const reason = directive?.[2];
      const ok = status.toLowerCase() === 'ok';
      const dir = directive?.[1]?.toUpperCase();
      const outcome = dir === 'SKIP' || dir === 'TODO' ? 'skipped' : ok ? 'success' : 'failure';
      // The points of a deeper level (a subtest) just ended: this point closes that subtest.
      const children = levels[level + 1];
      const closesSubtest = children !== undefined && children.points > 0;
      const childFailures = children?.failedPoints ?? 0;
      if (levels.length > level + 1) levels.length = level + 1;
      while (levels.length < level + 1) levels.push({ points: 0, failedPoints: 0 });
      const here = levels[level] as Level;
      here.points++;
      if (outcome === 'failure' || (closesSubtest && childFailures > 0)) here.failedPoints++;
      if (closesSubtest && !(outcome === 'failure' && childFailures === 0)) continue;
      const run: TestRun = {
        classname: path(level),
        name: desc.trim() || `test ${number ?? here.points}`,
        outcome,
        time: 0,
      };
      if (outcome === 'failure') run.message = reason || desc || `test ${number ?? here.points} failed`;
      if (/\s\{$/.test(desc)) {
        // A buffered subtest opens: its points follow, indented, until `}`; counted through them.
        run.name = run.name.replace(/\s*\{$/, '') || run.name;
        braces.push({ indent, level, run });
        levels.length = level + 1;
        levels.push({ name: run.name, points: 0, failedPoints: 0 });
        continue;
      }
      pending = { run, indent };
    }
    flush();
  } catch (error) {
    throw new ReportError(display, (error as Error).message, lineNo);
  }
  if (!seen) throw new ReportError(display, 'not a TAP stream: no version line, plan or test point found');
  if (bailedOut)
    throw new ReportError(display, `the TAP stream bailed out (Bail out! ${bailedOut}): the run stopped early`);
  const top = levels[0] as Level;
  if (plan !== undefined && top.points !== plan) {
    throw new ReportError(
      display,
      `the plan announced ${plan} test(s) but ${top.points} ran: the run stopped early or miscounted`,
    );
  }
}

/**
 * `ok 3 - name # SKIP reason`, scanned once: status, number, an optional dash, the description
 * up to the first unescaped `#`, the comment after it (a directive or anything: `# time=3ms`).
 */
export function testPoint(
  line: string,
): { status: string; number: string | undefined; desc: string; comment: string } | undefined {
  const lower = line.slice(0, 6).toLowerCase();
  const status = lower.startsWith('not ok') ? 'not ok' : lower.startsWith('ok') ? 'ok' : undefined;
  if (!status) return undefined;
  let i = status.length;
  if (i < line.length && /\w/.test(line[i] as string)) return undefined;
  const spaces = () => {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
  };
  spaces();
  let number: string | undefined;
  const digits = i;
  while (i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  if (i > digits && (i === line.length || !/\w/.test(line[i] as string))) number = line.slice(digits, i);
  else i = digits;
  spaces();
  if (line[i] === '-') i++;
  spaces();
  const start = i;
  while (i < line.length && line[i] !== '#') i += line[i] === '\\' ? 2 : 1;
  const desc = line.slice(start, Math.min(i, line.length)).trimEnd();
  const comment = i < line.length ? line.slice(i + 1).trimStart() : '';
  return { status, number, desc, comment };
}

/** `name: value` of a YAML diagnostic block, the first at any indent (quotes around the value dropped). */
function yamlField(lines: string[], name: string): string | undefined {
  for (const raw of lines) {
    const line = raw.trimStart();
    if (!line.startsWith(`${name}:`)) continue;
    return unquote(line.slice(name.length + 1).trim());
  }
  return undefined;
}

const unquote = (v: string) => (v.length >= 2 && /^['"]/.test(v) && v.endsWith(v[0] as string) ? v.slice(1, -1) : v);

/** `at: path/file.js:12:3` or `location: ...`: the file and line, read from the end of the value. */
function yamlLocation(lines: string[]): { file: string; line: string } | undefined {
  for (const raw of lines) {
    const line = raw.trimStart();
    const key = line.startsWith('at:') ? 3 : line.startsWith('location:') ? 9 : 0;
    if (!key) continue;
    let value = unquote(line.slice(key).trim());
    const last = value.lastIndexOf(':');
    const beforeLast = value.lastIndexOf(':', last - 1);
    // path:line:column or path:line
    if (beforeLast > 0 && /^\d+$/.test(value.slice(beforeLast + 1, last)) && /^\d+$/.test(value.slice(last + 1)))
      value = value.slice(0, last);
    const colon = value.lastIndexOf(':');
    if (colon <= 0 || !/^\d+$/.test(value.slice(colon + 1))) continue;
    return { file: value.slice(0, colon), line: value.slice(colon + 1) };
  }
  return undefined;
}

function applyYaml(run: TestRun, yaml: string[]): void {
  const text = yaml.join('\n');
  const ms = yamlField(yaml, 'duration_ms');
  if (ms) run.time = Number(ms) / 1000 || 0;
  if (run.outcome !== 'failure') return;
  const message = yamlField(yaml, 'message') ?? yamlField(yaml, 'error');
  if (message && message !== '|-' && message !== '|' && message !== '>') run.message = message;
  run.details = text.slice(0, MAX_TEXT);
  const at = yamlLocation(yaml);
  const file = at?.file ?? yamlField(yaml, 'file');
  const line = at?.line ?? yamlField(yaml, 'line');
  if (file) run.file = file.replace(/^file:\/\//, '');
  if (line && Number.isFinite(Number(line))) run.line = Number(line);
}
