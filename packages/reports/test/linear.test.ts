/**
 * Every parser is linear in its input: a pull request's tests write these reports, so a line
 * that makes a parser backtrack would hold the runner (a 5 KB TAP line once took two minutes).
 * Each format is fed adversarial lines (runs of the characters a regex would compete for:
 * spaces, backslashes, `#`, dots, colons, digits, quotes) and random ones, at a size and four
 * times that size, through the whole path the test action takes (detect, parse, tally, and the
 * failure's location in its message). A linear parser takes about four times as long, a
 * quadratic one sixteen; the bound is wide (8x, plus a fixed allowance for timer noise), and
 * no input may take more than a few seconds at 256 KB.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReports, judge, locate, renderTestSummary } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'linear-reports-'));
let n = 0;

/** Parses `content` as the test action does and returns the time it took, in ms. */
async function timed(name: string, content: string): Promise<number> {
  const path = join(dir, `${++n}-${name}`);
  writeFileSync(path, content);
  // CPU time of this process, not the wall clock: other processes on a loaded machine (the rest
  // of the suite runs beside this test) take the CPU away without making the parser slower.
  const started = process.cpuUsage();
  const collected = await collectReports([path], dir);
  for (const f of collected.failures) locate(f, dir);
  renderTestSummary('tests', collected, judge(collected, { failOn: 'failures', minTests: 0 }));
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const repeat = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** Adversarial bodies: the runs a backtracking regex would split every way. */
const BODIES: Record<string, (bytes: number) => string> = {
  spaces: (b) => repeat(' ', b),
  'spaces and tabs then x': (b) => `${repeat(' \t', b)}x`,
  backslashes: (b) => repeat('\\', b),
  'escaped hashes': (b) => repeat('\\#', b),
  'hashes and spaces': (b) => repeat('# ', b),
  'dots then a colon and line': (b) => `a/${repeat('.', b)}:12`,
  'path-like tokens with line refs': (b) => repeat('x/y.z:1 ', b),
  'colons and digits': (b) => repeat(':1', b),
  quotes: (b) => repeat('\'"', b),
  'word characters': (b) => repeat('a1_.', b),
  'at: with colons': (b) => `at: ${repeat('a:1', b)}`,
};

function random(bytes: number, seed: number): string {
  const alphabet = ' \t\\#:.1a/\'"-{}<>@';
  let x = seed;
  let out = '';
  while (out.length < bytes) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[x % alphabet.length];
    if (x % 97 === 0) out += '\n';
  }
  return out;
}

const FORMATS: Record<string, (body: string) => string> = {
  'TAP test point': (body) => `TAP version 13\nnot ok 1 - ${body}\n1..1\n`,
  'TAP directive': (body) => `TAP version 13\nok 1 - x # SKIP ${body}\n1..1\n`,
  'TAP YAML block': (body) =>
    `TAP version 13\nnot ok 1 - t\n  ---\n  message: ${body}\n  at: ${body}\n  duration_ms: ${body}\n  ${body}\n  ...\n1..1\n`,
  'JUnit failure': (body) =>
    `<?xml version="1.0"?><testsuite name="s"><testcase classname="${escapeXml(body)}" name="t"><failure message="${escapeXml(body)}">${escapeXml(body)}</failure></testcase></testsuite>`,
  'TRX message': (body) =>
    `<?xml version="1.0"?><TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results><UnitTestResult testName="t" outcome="Failed" duration="${escapeXml(body)}"><Output><ErrorInfo><Message>${escapeXml(body)}</Message><StackTrace>${escapeXml(body)}</StackTrace></ErrorInfo></Output></UnitTestResult></Results></TestRun>`,
};

const SMALL = 16 * 1024;
const LARGE = 4 * SMALL;

describe('report parsers are linear in their input (adversarial and random lines)', () => {
  for (const [format, wrap] of Object.entries(FORMATS)) {
    it(`${format}: four times the input takes at most about four times as long`, async () => {
      const bodies = { ...BODIES, random: (b: number) => random(b, 7) };
      const slow: string[] = [];
      // Each run ends in what makes a regex give up and try every split again: a lone backslash, a `#`, more text.
      const cases = Object.entries(bodies).flatMap(([kind, body]) =>
        ['', '\\', '#', ' x\\'].map(
          (tail) => [`${kind}${tail ? ` + ${JSON.stringify(tail)}` : ''}`, (b: number) => `${body(b)}${tail}`] as const,
        ),
      );
      for (const [kind, body] of cases) {
        // Warm up, then the best of three at each size (a garbage collection lands in one of them).
        await timed(kind, wrap(body(1024)));
        const best = async (bytes: number) => {
          const text = wrap(body(bytes));
          return Math.min(await timed(kind, text), await timed(kind, text), await timed(kind, text));
        };
        const small = await best(SMALL);
        const large = await best(LARGE);
        if (large > 8 * small + 50 || large > 3000)
          slow.push(`${kind}: ${small.toFixed(1)} ms at 16 KB, ${large.toFixed(1)} ms at 64 KB`);
      }
      expect(slow).toEqual([]);
    }, 120_000);
  }
});
