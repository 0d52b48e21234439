import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactService, runAction } from '@rollgate/testbed';

const FIXTURES = join(import.meta.dirname, 'corpus', 'third-party');

function workspace(files: Record<string, string> = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'test-action-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(ws, path, '..'), { recursive: true });
    writeFileSync(join(ws, path), content);
  }
  return ws;
}

const SAMPLE = [
  "import { it, describe } from 'node:test';",
  "import assert from 'node:assert';",
  "describe('math', () => {",
  "  it('adds', () => assert.equal(1 + 1, 2));",
  "  it('subtracts', () => assert.equal(3 - 1, 1));",
  "  it('later', { skip: 'not yet' }, () => {});",
  '});',
].join('\n');

let artifacts: ArtifactService;
beforeAll(async () => {
  artifacts = await ArtifactService.start();
});
afterAll(() => artifacts.stop());

describe('test action (bundle, runner contract)', () => {
  it('runs a real test runner (node --test, JUnit reporter), reports counts, summary and an annotation at the failing line', async () => {
    const ws = workspace({ 'test/math.test.mjs': SAMPLE, 'reports/.keep': '' });
    const r = await runAction({
      action: 'test',
      workspace: ws,
      inputs: {
        command: 'node --test --test-reporter=junit --test-reporter-destination=reports/junit.xml test/',
        reports: 'reports/*.xml',
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({
      total: '3',
      passed: '1',
      failed: '1',
      errors: '0',
      skipped: '1',
      flaky: '0',
      conclusion: 'failure',
    });
    expect(r.error).toBe('Tests failed: the test command exited with code 1; 1 failed and 0 errored of 3 tests.');
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'test/math.test.mjs',
        line: 5,
        title: 'test › subtracts',
        message: '2 == 1',
      }),
    );
    expect(r.summary).toContain('| 3 | 1 | 1 | 0 | 1 | 0 |');
    expect(r.summary).toContain('test › subtracts');
  });

  it('only reads reports when no command is given: real reports of other runners', async () => {
    const ws = workspace();
    const put = (from: string, to: string) => {
      mkdirSync(join(ws, 'reports'), { recursive: true });
      copyFileSync(join(FIXTURES, from), join(ws, 'reports', to));
    };
    put('publish-unit-test-result-action/junit-xml/pytest/junit.fail.xml', 'pytest.xml'); // 5: 3 pass, 1 skip, 1 fail
    put('publish-unit-test-result-action/trx/xunit/dotnet-trx.trx', 'dotnet.trx'); // 11: 5 pass, 1 skip, 5 fail
    put('action-junit-report/maven_surefire_flaky/surefire-report.xml', 'surefire.xml'); // 1 flaky pass (Surefire's <flakyFailure>)
    const r = await runAction({
      action: 'test',
      workspace: ws,
      inputs: { reports: 'reports/*', 'fail-on': 'none', 'max-annotations': '2' },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      total: '17',
      passed: '9',
      failed: '6',
      skipped: '2',
      flaky: '1',
      conclusion: 'failure',
    });
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(2);
    expect(r.summary).toContain('### Flaky tests (1)');
  });

  it.each([
    'jest-junit.xml',
    'node-test.xml',
    'node-test.tap',
    'mocha-xunit.xml',
    'mocha.tap',
    'mocha-junit-reporter.xml',
    'tape.tap',
    'node-tap.tap',
    'pytest-xunit2.xml',
  ])('a failing test in a real %s report fails the step, whatever passed under the same name', async (file) => {
    const ws = workspace();
    mkdirSync(join(ws, 'reports'), { recursive: true });
    copyFileSync(join(import.meta.dirname, 'corpus', 'generated', file), join(ws, 'reports', file));
    const r = await runAction({ action: 'test', workspace: ws, inputs: { reports: 'reports/*' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.conclusion).toBe('failure');
    expect(Number(r.outputs.failed) + Number(r.outputs.errors)).toBeGreaterThan(0);
    expect(r.outputs.flaky).toBe('0');
    expect(r.summary).toMatch(/^## ❌/m);
  });

  it('two reports of one run: the later run of a test fails, the step fails', async () => {
    const ws = workspace({
      'reports/first.xml': '<testsuite name="api"><testcase classname="api" name="lists users"/></testsuite>',
      'reports/rerun.xml':
        '<testsuite name="api"><testcase classname="api" name="lists users"><failure message="500"/></testcase></testsuite>',
    });
    const r = await runAction({ action: 'test', workspace: ws, inputs: { reports: 'reports/*.xml' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ total: '2', passed: '1', failed: '1', flaky: '0', conclusion: 'failure' });
  });

  it('an invalid report is an error naming file and line; the other reports are still read', async () => {
    const ws = workspace({
      'reports/good.xml': '<testsuite><testcase classname="a" name="ok"/></testsuite>',
      'reports/broken.xml': '<testsuite>\n<testcase classname="a" name="x">\n</testsuite>',
    });
    const r = await runAction({ action: 'test', workspace: ws, inputs: { reports: 'reports/*.xml' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.total).toBe('1');
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'reports/broken.xml',
        line: 3,
        message: 'reports/broken.xml:3: invalid XML: closing tag </testsuite> does not match <testcase>',
      }),
    );
    expect(r.error).toMatch(/1 report\(s\) could not be read/);
  });

  it('plain paths, globs and negations pick the same files as @actions/glob would', async () => {
    const ws = workspace({
      'reports/a.xml': '<testsuite><testcase classname="a" name="ok"/></testsuite>',
      'reports/b.xml': '<testsuite><testcase classname="b" name="fails"><failure/></testcase></testsuite>',
      'reports/dir.xml/c.xml': '<testsuite><testcase classname="c" name="ok"/></testsuite>',
    });
    const count = async (reports: string) =>
      (await runAction({ action: 'test', workspace: ws, inputs: { reports, 'fail-on': 'none' } })).outputs.total;
    // Plain paths: each file once; a directory stands for the files below it, as in @actions/glob.
    expect(await count('reports/a.xml\nreports/a.xml')).toBe('1');
    expect(await count('reports/a.xml\nreports/dir.xml')).toBe('2');
    expect(await count(`${ws}/reports/b.xml\nreports/a.xml`)).toBe('2');
    expect(await count('reports/**/*.xml')).toBe('3');
    expect(await count('reports/**/*.xml\n!reports/b.xml')).toBe('2');
    expect(await count('reports/*.xml\n!reports/b.xml')).toBe('2');
    expect(await count('reports/b.xml\nreports/none.xml')).toBe('1');
  });

  it('min-tests catches a glob that reads too few tests', async () => {
    const ws = workspace({ 'reports/a.xml': '<testsuite><testcase classname="a" name="ok"/></testsuite>' });
    const r = await runAction({
      action: 'test',
      workspace: ws,
      inputs: { reports: 'reports/*.xml', 'min-tests': '10' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.error).toContain('only 1 tests ran, fewer than min-tests 10');
  });

  it('uploads the raw reports as an artifact', async () => {
    const ws = workspace({ 'reports/a.xml': '<testsuite><testcase classname="a" name="ok"/></testsuite>' });
    const r = await runAction({
      action: 'test',
      workspace: ws,
      runId: 77,
      ...artifacts.env(77),
      inputs: { reports: 'reports/*.xml', upload: 'true', 'artifact-name': 'reports-linux' },
    });
    expect(r.exitCode).toBe(0);
    expect(artifacts.store.forRun(77).map((a) => a.name)).toEqual(['reports-linux']);
  });

  describe('bad input: one clear error', () => {
    it.each([
      [{ reports: 'nothing/*.xml' }, /^Input 'reports': expected patterns that match at least one report file/],
      [
        { reports: 'r.xml', 'fail-on': 'always' },
        /^Input 'fail-on': expected one of failures, errors, none \(got "always"\)/,
      ],
      [{ reports: 'r.xml', 'max-annotations': '51' }, /^Input 'max-annotations': expected a whole number from 0 to 50/],
      [{ reports: '' }, /^Input 'reports': expected at least one item/],
      [{ reports: 'r.xml', command: 'no-such-test-runner --all' }, /^Command not found: 'no-such-test-runner'/],
    ])('%j', async (inputs, message) => {
      const r = await runAction({
        action: 'test',
        workspace: workspace({ 'r.xml': '<testsuite><testcase name="a"/></testsuite>' }),
        inputs,
      });
      expect(r.exitCode).toBe(1);
      expect(r.error).toMatch(message);
    });
  });

  it("a pull request's TAP report with a line built to make a regex backtrack reads in a moment, its failure counted", async () => {
    // 5 KB of spaces then a lone backslash after a test point: the regex this parser once used
    // tried every split of the spaces (two minutes at 5 KB); every report line is scanned once now.
    const line = `not ok 1 - ${' '.repeat(5000)}\\`;
    const ws = workspace({ 'reports/evil.tap': `TAP version 13\n${line}\nok 2 - fine\n1..2\n` });
    const started = Date.now();
    const r = await runAction({
      action: 'test',
      workspace: ws,
      inputs: { command: 'true', reports: 'reports/evil.tap' },
      timeoutMs: 60_000,
    });
    expect(r.outputs).toMatchObject({ total: '2', passed: '1', failed: '1' });
    // The action's own start and summary take well under a second; a backtracking parse would take minutes.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
