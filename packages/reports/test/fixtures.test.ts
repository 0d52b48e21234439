import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ReportError, Tally, parseReport } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'reports');
const PUTR = join(ROOT, 'publish-unit-test-result-action');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Each report beside its expected counts (`x.results.json` for `x.xml` or `x.trx`). */
const cases = walk(PUTR)
  .filter((f) => f.endsWith('.results.json'))
  .map((expected) => {
    const base = expected.slice(0, -'.results.json'.length);
    const report = ['.xml', '.trx'].map((ext) => base + ext).find((f) => existsSync(f));
    return { name: relative(PUTR, base), report, expected, exception: existsSync(`${base}.exception`) };
  })
  .filter((c) => c.report !== undefined);

describe('real reports from many runners give the counts their reporting projects derive', () => {
  it('found the fixtures', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases.filter((c) => !c.exception))('$name', async ({ report, expected }) => {
    const stats = JSON.parse(readFileSync(expected, 'utf8')).stats;
    const tally = new Tally();
    await parseReport(report as string, tally);
    const t = tally.result();
    expect({ tests: t.total, succ: t.passed + 0, skip: t.skipped, fail: t.failed, error: t.errors }).toEqual({
      tests: stats.tests,
      succ: stats.tests_succ,
      skip: stats.tests_skip,
      fail: stats.tests_fail,
      error: stats.tests_error,
    });
  });

  it.each(walk(ROOT).filter((f) => f.endsWith('.exception')).map((f) => ({ name: relative(ROOT, f), file: f.replace(/\.exception$/, '.xml') })))(
    '$name fails cleanly with the file named',
    async ({ file }) => {
      const error = await parseReport(file, new Tally()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReportError);
      expect((error as ReportError).message.startsWith(file)).toBe(true);
    },
  );
});
