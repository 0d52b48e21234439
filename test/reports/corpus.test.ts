/**
 * The corpus of real reports (test/reports/corpus): every file gives the counts its producer
 * reported (manifest.json for third-party reports, generated.json for the ones made here with
 * the real runners), a report that is not one fails with a line naming it, and no count is
 * ever lower on failures than the producer's.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError, Tally, parseReport } from '@rollgate/reports';

type Counts = { tests?: number; passed?: number; failed?: number; errors?: number; skipped?: number; flaky?: number };
interface Entry {
  file: string;
  producer: string;
  expected?: Counts;
  error?: string;
  source: string;
}

const ROOT = join(import.meta.dirname, 'corpus');
const read = <T>(name: string) => JSON.parse(readFileSync(join(ROOT, name), 'utf8')) as T;
const manifest = read<{ reports: Entry[]; differs: Record<string, Counts & { why: string }> }>('manifest.json');
const entries = [...read<Entry[]>('generated.json'), ...manifest.reports];

describe('the report corpus', () => {
  it('holds at least 60 real reports from at least 8 producers, each with where its counts come from', () => {
    expect(entries.length).toBeGreaterThanOrEqual(60);
    expect(new Set(entries.map((e) => e.producer.split(' ')[0])).size).toBeGreaterThanOrEqual(8);
    for (const e of entries) expect(e.source.length).toBeGreaterThan(10);
    for (const [file, d] of Object.entries(manifest.differs)) {
      expect(entries.some((e) => e.file === file)).toBe(true);
      expect(d.why.length).toBeGreaterThan(20);
    }
  });

  it.each(entries.filter((e) => e.expected))('$file ($producer)', async ({ file, expected }) => {
    const tally = new Tally();
    await parseReport(join(ROOT, file), tally, file);
    const t = tally.result();
    const got: Counts = {
      tests: t.total,
      passed: t.passed,
      failed: t.failed,
      errors: t.errors,
      skipped: t.skipped,
      flaky: t.flaky,
    };
    const { why: _why, ...differs } = manifest.differs[file] ?? { why: '' };
    const want = { ...expected, ...differs } as Counts;
    expect(Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof Counts]]))).toEqual(want);
    // A difference may never hide a failure the producer counted.
    expect(t.failed + t.errors).toBeGreaterThanOrEqual((expected?.failed ?? 0) + (expected?.errors ?? 0));
  });

  it.each(entries.filter((e) => e.error !== undefined))('$file fails with one line naming it', async ({ file }) => {
    const error = await parseReport(join(ROOT, file), new Tally(), file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).message.startsWith(file)).toBe(true);
    expect((error as ReportError).message).not.toContain('\n');
  });
});
