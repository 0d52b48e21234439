/**
 * TAP 13 and 14, read line by line: test points, SKIP and TODO directives, YAML diagnostic
 * blocks (message, at/file/line), and TAP 14 subtests (indented by 4; a test point whose
 * subtests were listed is a group, counted through its children).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MAX_TEXT, ReportError, type ReportSink, type TestRun } from './model.js';

const POINT = /^(ok|not ok)\b(?:\s+(\d+))?(?:\s*-)?\s*([^#]*?)\s*(?:#\s*(SKIP|TODO)\S*\s*(.*))?$/i;

export async function parseTap(file: string, sink: ReportSink, display = file): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let seen = false;
  let lineNo = 0;
  /** Per indentation level: whether test points were seen since the last point one level up. */
  const childSeen: boolean[] = [];
  let pending: { run: TestRun; indent: number } | undefined;
  let yaml: string[] | undefined;
  let yamlIndent = 0;
  const flush = () => {
    if (!pending) return;
    if (yaml) applyYaml(pending.run, yaml);
    sink.run(pending.run);
    pending = undefined;
    yaml = undefined;
  };
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
        if (yaml.join('\n').length < MAX_TEXT) yaml.push(raw.slice(yamlIndent));
        continue;
      }
      if (line === '---' && pending) {
        yaml = [];
        yamlIndent = indent;
        continue;
      }
      if (/^TAP version \d+$/i.test(line) || /^\d+\.\.\d+/.test(line)) {
        seen = true;
        continue;
      }
      if (/^Bail out!/i.test(line)) {
        flush();
        seen = true;
        sink.run({ classname: '', name: line, outcome: 'error', time: 0, message: line });
        continue;
      }
      const m = POINT.exec(line);
      if (!m) continue;
      flush();
      seen = true;
      const level = Math.floor(indent / 4);
      const isGroup = childSeen[level + 1] === true;
      childSeen.length = level + 1;
      childSeen[level] = true;
      if (isGroup) continue;
      const [, status = '', , desc = '', directive, reason] = m;
      const ok = status.toLowerCase() === 'ok';
      const dir = directive?.toUpperCase();
      const run: TestRun = {
        classname: '',
        name: desc.trim() || `test ${m[2] ?? ''}`.trim(),
        outcome: dir === 'SKIP' || dir === 'TODO' ? 'skipped' : ok ? 'success' : 'failure',
        time: 0,
      };
      if (!ok && run.outcome === 'failure') run.message = reason || desc;
      pending = { run, indent };
    }
    flush();
  } catch (error) {
    throw new ReportError(display, (error as Error).message, lineNo);
  }
  if (!seen) throw new ReportError(display, 'not a TAP stream: no version line, plan or test point found');
}

function applyYaml(run: TestRun, yaml: string[]): void {
  const text = yaml.join('\n');
  const field = (name: string) => new RegExp(`^${name}:\\s*['"]?(.*?)['"]?\\s*$`, 'm').exec(text)?.[1];
  const ms = field('duration_ms');
  if (ms) run.time = Number(ms) / 1000 || 0;
  if (run.outcome !== 'failure') return;
  const message = field('message') ?? field('error');
  if (message && message !== '|-' && message !== '|' && message !== '>') run.message = message;
  run.details = text.slice(0, MAX_TEXT);
  const at = /(?:^|\n)\s*(?:at|location):\s*['"]?([^'"\n]+?):(\d+)(?::\d+)?['"]?\s*(?:\n|$)/.exec(text);
  const file = at?.[1] ?? field('file');
  const line = at?.[2] ?? field('line');
  if (file) run.file = file.replace(/^file:\/\//, '');
  if (line && Number.isFinite(Number(line))) run.line = Number(line);
}
