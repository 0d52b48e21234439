/**
 * npm run bench:reports — the test action's report parsing (the bundle, as a runner starts it)
 * against xml2js (what dorny/test-reporter parses with) on the same generated 100 MB JUnit
 * file: 200k test cases, 5% failing with stack traces. Targets: >= 3x faster, peak RSS <= 150 MB.
 * Then a 1 GB file (2M test cases) to show it completes (BENCH_1GB=0 skips it).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureProcess } from './lib.js';
import { writeJUnit } from './reports-gen.js';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bench-reports-'));

async function ours(file: string) {
  const out = join(dir, 'out');
  writeFileSync(out, '');
  const r = await measureProcess(process.execPath, [join(root, 'dist', 'test', 'index.js')], {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: out,
    INPUT_REPORTS: file,
    'INPUT_FAIL-ON': 'none',
    'INPUT_MIN-TESTS': '1',
    'INPUT_MAX-ANNOTATIONS': '10',
  });
  if (r.code !== 0) throw new Error(`test action failed: ${r.stdout.slice(-2000)}`);
  const total = Number(/total<<(\S+)\n(\d+)\n/.exec((await import('node:fs')).readFileSync(out, 'utf8'))?.[2]);
  return { ...r, total };
}

async function xml2js(file: string) {
  const script = join(dir, 'xml2js.mjs');
  writeFileSync(
    script,
    `import { readFileSync } from 'node:fs';
import xml2js from ${JSON.stringify(join(root, 'node_modules', 'xml2js', 'lib', 'xml2js.js'))};
const doc = await xml2js.parseStringPromise(readFileSync(process.argv[2], 'utf8'));
let n = 0; for (const s of doc.testsuites.testsuite) n += s.testcase.length;
console.log(n);`,
  );
  const r = await measureProcess(process.execPath, [script, file]);
  return { ...r, total: Number(r.stdout.trim()) };
}

try {
  const file = join(dir, 'junit-100mb.xml');
  await writeJUnit(file, 200_000);
  const mb = Math.round(statSync(file).size / 1e6);
  const a = await xml2js(file);
  const b = await ours(file);
  const speedup = a.ms / b.ms;
  console.log(
    JSON.stringify({
      bench: 'test action parse vs xml2js',
      fileMb: mb,
      cases: b.total,
      oursMs: Math.round(b.ms),
      oursPeakRssMb: b.rssMb,
      xml2jsMs: Math.round(a.ms),
      xml2jsPeakRssMb: a.rssMb,
      speedup: Number(speedup.toFixed(2)),
      targets: { speedup: '>= 3', peakRssMb: '<= 150' },
      sameCount: a.total === b.total,
    }),
  );
  const ok = speedup >= 3 && b.rssMb <= 150 && a.total === b.total;
  rmSync(file);
  if (process.env.BENCH_1GB !== '0') {
    const big = join(dir, 'junit-1gb.xml');
    await writeJUnit(big, 2_000_000);
    const g = await ours(big);
    console.log(JSON.stringify({ bench: 'test action on a 1 GB report', fileMb: Math.round(statSync(big).size / 1e6), cases: g.total, ms: Math.round(g.ms), peakRssMb: g.rssMb }));
  }
  console.log(`reports bench: ${speedup.toFixed(2)}x xml2js, peak RSS ${b.rssMb} MB: ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
