import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportError, Tally, parseReport } from '../src/index.js';
import { plainDecimal } from '../src/junit.js';

const AJR = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test',
  'reports',
  'corpus',
  'third-party',
  'action-junit-report',
);

async function read(file: string) {
  const tally = new Tally();
  await parseReport(file, tally);
  const { duration: _d, ...counts } = tally.result();
  return { counts, flaky: tally.flakyTests(), failures: tally.failures() };
}

describe('JUnit dialects with retries, flaky markers and nesting (action-junit-report fixtures)', () => {
  it.each([
    // Repeated test cases are not retries unless the producer marks them: a pass never hides a failure.
    [
      'flaky_retries/flaky_success_first.xml',
      { total: 3, passed: 1, failed: 1, errors: 1, skipped: 0, flaky: 0, runs: 3 },
    ],
    [
      'flaky_retries/flaky_all_failures.xml',
      { total: 3, passed: 0, failed: 2, errors: 1, skipped: 0, flaky: 0, runs: 3 },
    ],
    [
      'flaky_retries/flaky_with_classname_file.xml',
      { total: 5, passed: 3, failed: 1, errors: 1, skipped: 0, flaky: 0, runs: 5 },
    ],
    // Surefire's <flakyFailure>: the producer's own mark of a failed attempt inside the test case.
    [
      'junit_flaky_failure/mixed_flaky_and_passed.xml',
      { total: 3, passed: 3, failed: 0, errors: 0, skipped: 0, flaky: 1, runs: 4 },
    ],
    [
      'junit_flaky_failure/marathon_junit_report.xml',
      { total: 1, passed: 1, failed: 0, errors: 0, skipped: 0, flaky: 1, runs: 2 },
    ],
    ['nested/junit.xml', { total: 5, passed: 2, failed: 3, errors: 0, skipped: 0, flaky: 0, runs: 5 }],
    ['nested/multi-level.xml', { total: 3, passed: 3, failed: 0, errors: 0, skipped: 0, flaky: 0, runs: 3 }],
    ['nextest/basic.xml', { total: 3, passed: 2, failed: 1, errors: 0, skipped: 0, flaky: 0, runs: 3 }],
    ['catch2/report.xml', { total: 1, passed: 0, failed: 1, errors: 0, skipped: 0, flaky: 0, runs: 1 }],
    ['python/report.xml', { total: 3, passed: 1, failed: 2, errors: 0, skipped: 0, flaky: 0, runs: 3 }],
  ])('%s', async (file, counts) => {
    expect((await read(join(AJR, file))).counts).toEqual(counts);
  });

  it('keeps the failure location from the failure element (catch2)', async () => {
    const { failures } = await read(join(AJR, 'catch2/report.xml'));
    expect(failures[0]).toMatchObject({
      file: 'test/unit/detail/utility/is_constant_evaluated.cpp',
      line: 19,
      message: 'REQUIRE(v == 1) expands to 0 == 10',
    });
  });

  it('keeps message, details, file and line of a pytest failure', async () => {
    const { failures } = await read(join(AJR, 'flaky_retries/flaky_all_failures.xml'));
    expect(failures[0]).toEqual({
      classname: 'test_always_fails.TestAlwaysFails',
      name: 'test_always_fails',
      outcome: 'failure',
      message: 'first failure',
      details: 'First attempt failed',
      file: '/home/runner/work/tests/test_always_fails.py',
      line: 10,
    });
    expect(failures.map((f) => f.outcome)).toEqual(['failure', 'failure', 'error']);
  });

  it('names the file and line of corrupt XML', async () => {
    const file = join(AJR, 'corrupt-junit/e2e-tests/corrupt/target/sf-reports/TEST-test.CorruptTest.xml');
    await expect(read(file)).rejects.toThrow(
      new ReportError(file, 'invalid XML: the file ends inside a CDATA section in <system-out>', 18),
    );
  });
});

describe('TAP', () => {
  function tap(text: string): string {
    const file = join(mkdtempSync(join(tmpdir(), 'tap-')), 'r.tap');
    writeFileSync(file, text);
    return file;
  }

  it('reads test points, directives and YAML diagnostics', async () => {
    const r = await read(
      tap(
        [
          'TAP version 14',
          '1..5',
          'ok 1 - adds',
          'not ok 2 - subtracts',
          '  ---',
          '  message: expected 1 to equal 2',
          '  at: test/math.test.js:12:5',
          '  ...',
          'ok 3 - slow # SKIP not on CI',
          'not ok 4 - later # TODO implement',
          'ok 5',
        ].join('\n'),
      ),
    );
    expect(r.counts).toEqual({ total: 5, passed: 2, failed: 1, errors: 0, skipped: 2, flaky: 0, runs: 5 });
    expect(r.failures).toEqual([
      expect.objectContaining({
        name: 'subtracts',
        message: 'expected 1 to equal 2',
        file: 'test/math.test.js',
        line: 12,
      }),
    ]);
  });

  it("reads Node's test runner TAP (real output, subtests counted through their leaves)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'node-test-'));
    writeFileSync(
      join(dir, 'sample.test.mjs'),
      [
        "import { describe, it } from 'node:test';",
        "import assert from 'node:assert';",
        "describe('math', () => {",
        "  it('adds', () => assert.equal(1 + 1, 2));",
        "  it('fails', () => assert.equal(1 + 1, 3));",
        "  it('skips', { skip: true }, () => {});",
        "  describe('nested', () => { it('deep', () => {}); });",
        '});',
        "it('top level', () => {});",
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'sample.test.mjs'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const r = await read(tap(run.stdout));
    expect(r.counts).toMatchObject({ total: 5, passed: 3, failed: 1, skipped: 1 });
    expect(r.failures[0]).toMatchObject({ name: 'fails' });
    expect(r.failures[0]?.file).toMatch(/sample\.test\.mjs$/);
  });

  it('rejects a file that is not TAP', async () => {
    await expect(read(tap('hello\nworld\n'))).rejects.toThrow(/not a TAP stream/);
  });
});

describe('plain decimals read by hand', () => {
  it('reads exactly what Number() reads, and leaves everything else to it', () => {
    const samples = [
      '0',
      '7',
      '0.001',
      '0.1',
      '0.3',
      '1.5',
      '12.345',
      '12345678.123456',
      '0.0000000000001',
      '999999999999999',
      '3.1415926535897',
    ];
    for (let i = 0; i < 5000; i++)
      samples.push(`${Math.floor(Math.random() * 1e6)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`);
    for (const s of samples) expect(plainDecimal(s)).toBe(Number(s));
    for (const s of ['', '.5', '5.', '1e3', '-1', '+1', '1.2.3', ' 1', '0x10', 'NaN', 'Infinity', '1234567890123456'])
      expect(plainDecimal(s)).toBeUndefined();
  });
});
