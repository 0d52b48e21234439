#!/usr/bin/env node
// Regenerates test/reports/corpus/generated/: runs the sample suites in
// test/reports/corpus/sources/ with the real test runners and writes their reports, and
// writes generated.json with the counts each runner itself reported (its JSON output, TAP
// trailer or summary line), which the corpus test holds the parsers to.
// The runners are not project dependencies: install them once in a scratch folder,
//   npm install --prefix /tmp/runners jest@30 jest-junit@17 mocha@11 mocha-junit-reporter@2 tape@5 tap@21
// (and Debian's python3-pytest), then: RUNNERS=/tmp/runners node scripts/make-report-corpus.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'test', 'reports', 'corpus');
const runners = process.env.RUNNERS;
if (!runners) throw new Error('set RUNNERS to the folder where the runners are installed (see the header)');
const bin = (name) => join(runners, 'node_modules', '.bin', name);
const out = join(root, 'generated');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'corpus-'));
cpSync(join(root, 'sources'), work, { recursive: true });
const env = { ...process.env, NODE_PATH: join(runners, 'node_modules'), FORCE_COLOR: '0', NO_COLOR: '1' };
const run = (cmd, args, cwd, extra = {}) =>
  spawnSync(cmd, args, { cwd, env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 1 << 26 });
const entries = [];
const add = (file, producer, expected, source) =>
  entries.push({ file: `generated/${file}`, producer, expected, source });
/** `# tests 6`, `# pass 5`... trailer lines of a TAP stream. */
const trailer = (tap) =>
  Object.fromEntries(
    [...tap.matchAll(/^# (tests|pass|fail|skipped|todo|cancelled)\s+(\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );

// jest + jest-junit; counts from jest's own --json result.
{
  const cwd = join(work, 'jest');
  writeFileSync(join(cwd, 'package.json'), '{}');
  run(
    bin('jest'),
    [
      '--rootDir',
      '.',
      '--reporters=default',
      '--reporters=jest-junit',
      '--json',
      `--outputFile=${join(cwd, 'jest.json')}`,
    ],
    cwd,
    {
      JEST_JUNIT_OUTPUT_DIR: out,
      JEST_JUNIT_OUTPUT_NAME: 'jest-junit.xml',
    },
  );
  const j = JSON.parse(readFileSync(join(cwd, 'jest.json'), 'utf8'));
  add(
    'jest-junit.xml',
    'jest + jest-junit',
    {
      tests: j.numTotalTests,
      failed: j.numFailedTests,
      errors: 0,
      passed: j.numPassedTests,
      skipped: j.numPendingTests + j.numTodoTests,
    },
    `jest --json: numTotalTests ${j.numTotalTests}, numPassedTests ${j.numPassedTests}, numFailedTests ${j.numFailedTests}, numPendingTests ${j.numPendingTests}, numTodoTests ${j.numTodoTests}`,
  );
}
// node:test, junit and tap reporters; counts from its own TAP trailer.
{
  const cwd = join(work, 'node-test');
  run(
    process.execPath,
    [
      '--test',
      '--test-reporter=junit',
      `--test-reporter-destination=${join(out, 'node-test.xml')}`,
      '--test-reporter=tap',
      `--test-reporter-destination=${join(out, 'node-test.tap')}`,
      'same-names.test.mjs',
    ],
    cwd,
  );
  const t = trailer(readFileSync(join(out, 'node-test.tap'), 'utf8'));
  const expected = { tests: t.tests, passed: t.pass, failed: t.fail, errors: t.cancelled, skipped: t.skipped + t.todo };
  const source = `node --test TAP trailer: # tests ${t.tests}, # pass ${t.pass}, # fail ${t.fail}, # cancelled ${t.cancelled}, # skipped ${t.skipped}, # todo ${t.todo} (node ${process.version})`;
  add('node-test.xml', `node:test junit reporter (node ${process.version})`, expected, source);
  add('node-test.tap', `node:test tap reporter (node ${process.version})`, expected, source);
}
// mocha: xunit, tap and mocha-junit-reporter; counts from mocha's own json reporter
// (passing, pending, failing as its spec reporter prints them: a failing hook is one failure).
{
  const cwd = join(work, 'mocha');
  const json = JSON.parse(run(bin('mocha'), ['--reporter', 'json', 'hooks.spec.cjs'], cwd).stdout).stats;
  const expected = {
    tests: json.passes + json.pending + json.failures,
    passed: json.passes,
    failed: json.failures,
    errors: 0,
    skipped: json.pending,
  };
  const source = `mocha --reporter json stats: passes ${json.passes}, pending ${json.pending}, failures ${json.failures}`;
  run(
    bin('mocha'),
    ['--reporter', 'xunit', '--reporter-option', `output=${join(out, 'mocha-xunit.xml')}`, 'hooks.spec.cjs'],
    cwd,
  );
  writeFileSync(join(out, 'mocha.tap'), run(bin('mocha'), ['--reporter', 'tap', 'hooks.spec.cjs'], cwd).stdout);
  run(
    bin('mocha'),
    [
      '--reporter',
      'mocha-junit-reporter',
      '--reporter-option',
      `mochaFile=${join(out, 'mocha-junit-reporter.xml')}`,
      'hooks.spec.cjs',
    ],
    cwd,
  );
  add('mocha-xunit.xml', 'mocha xunit reporter', expected, source);
  add('mocha.tap', 'mocha tap reporter', expected, source);
  add('mocha-junit-reporter.xml', 'mocha + mocha-junit-reporter', expected, source);
}
// tape; counts from its TAP trailer (tape counts a skipped assertion as a pass).
{
  const cwd = join(work, 'tape');
  const tap = run(process.execPath, ['asserts.test.cjs'], cwd).stdout;
  writeFileSync(join(out, 'tape.tap'), tap);
  const t = trailer(tap);
  add(
    'tape.tap',
    'tape',
    { tests: t.tests, failed: t.fail },
    `tape TAP trailer: # tests ${t.tests}, # pass ${t.pass}, # fail ${t.fail} (tape counts the skipped assertion as a pass)`,
  );
}
// node-tap; counts from its own summary `# { total, pass, fail }`.
{
  cpSync(join(work, 'node-tap', 'subtests.test.cjs'), join(runners, 'subtests.test.cjs'));
  const r = run(bin('tap'), ['-R', 'tap', '--disable-coverage', 'subtests.test.cjs'], runners);
  writeFileSync(join(out, 'node-tap.tap'), r.stdout);
  const m = /# \{ total: (\d+), pass: (\d+), fail: (\d+) \}/.exec(r.stdout + r.stderr);
  add(
    'node-tap.tap',
    'node-tap 21',
    { tests: Number(m[1]), passed: Number(m[2]), failed: Number(m[3]) },
    `node-tap summary: ${m[0].slice(2)}`,
  );
  rmSync(join(runners, 'subtests.test.cjs'));
}
// pytest (Debian's python3-pytest), junit_family xunit1 and xunit2; counts from its summary line.
{
  const cwd = join(work, 'pytest');
  for (const family of ['xunit1', 'xunit2']) {
    const r = run(
      'python3',
      [
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        '-o',
        `junit_family=${family}`,
        `--junitxml=${join(out, `pytest-${family}.xml`)}`,
      ],
      cwd,
    );
    const line = r.stdout.trim().split('\n').at(-1);
    const n = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
    const expected = {
      tests: n('failed') + n('passed') + n('skipped') + n('xfailed') + n('xpassed') + n('error'),
      passed: n('passed') + n('xpassed'),
      failed: n('failed'),
      errors: n('error'),
      skipped: n('skipped') + n('xfailed'),
    };
    add(
      `pytest-${family}.xml`,
      `pytest ${execFileSync('python3', ['-m', 'pytest', '--version'], { encoding: 'utf8' }).trim().split(' ').at(-1)} (${family})`,
      expected,
      `pytest summary line: ${line.replace(/ in [\d.]+s/, '')}`,
    );
  }
}
// Perl (Debian's perl, libtest2-suite-perl, libtap-formatter-junit-perl, libtap-harness-junit-perl):
// the raw TAP of Test::More and Test2 (subtests indented, and Test2's buffered `{ ... }` form),
// and the JUnit XML of TAP::Formatter::JUnit and TAP::Harness::JUnit. Perl's harness counts
// top-level points only (prove: Tests=6 / Tests=4); the subtests' own points are tests here,
// as node-tap counts them: the expected counts of the raw streams are their points.
{
  const cwd = join(work, 'perl');
  for (const [script, expected] of [
    ['more', { tests: 8, passed: 5, failed: 1, errors: 0, skipped: 2 }],
    ['test2', { tests: 6, passed: 5, failed: 1, errors: 0, skipped: 0 }],
  ]) {
    writeFileSync(join(out, `perl-${script}.tap`), run('perl', [`t/${script}.t`], cwd).stdout);
    add(
      `perl-${script}.tap`,
      script === 'more' ? 'Perl Test::More' : 'Perl Test2::V0',
      expected,
      `the stream's own points, subtests' included (prove counts ${script === 'more' ? 'Tests=6' : 'Tests=4'}, top-level points only)`,
    );
  }
  writeFileSync(
    join(out, 'perl-tap-formatter-junit.xml'),
    run('prove', ['--formatter', 'TAP::Formatter::JUnit', 't/'], cwd).stdout,
  );
  add(
    'perl-tap-formatter-junit.xml',
    'TAP::Formatter::JUnit',
    { tests: 10, failed: 2, errors: 2 },
    'the totals its suites declare: tests 6 + 4, failures 1 + 1, errors 1 + 1 (each test file exited non-zero)',
  );
  run(
    'perl',
    [
      '-MTAP::Harness::JUnit',
      '-e',
      `TAP::Harness::JUnit->new({ xmlfile => "${join(out, 'perl-tap-harness-junit.xml')}", merge => 1 })->runtests(glob("t/*.t"))`,
    ],
    cwd,
  );
  add(
    'perl-tap-harness-junit.xml',
    'TAP::Harness::JUnit',
    { tests: 10, failed: 2, errors: 0, skipped: 1 },
    'the totals its suites declare: tests 6 + 4, failures 1 + 1, skipped 1 + 0',
  );
}
rmSync(work, { recursive: true, force: true });
// Paths in the reports name the scratch folder; make them stable.
for (const e of entries) {
  const file = join(root, e.file);
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll(work, '/work/corpus').replaceAll(runners, '/work/runners'));
}
writeFileSync(join(root, 'generated.json'), JSON.stringify(entries, null, 2) + '\n');
console.log(`${entries.length} reports in ${out}`);
