/**
 * npm run bench:reports — the test action's report parsing (the bundle, as a runner starts it)
 * against xml2js (what dorny/test-reporter parses with) on the same generated 100 MB JUnit
 * file (both on Node 24, the runtime of runs.using: node24): 200k test cases, 5% failing with stack traces. Targets: >= 10x faster, peak RSS <= 100 MB.
 * Then a 1 GB file whose first test case prints 300 MB into one CDATA section of system-out,
 * followed by 10M test cases (about 1 GB in all) with one failure at the end: peak RSS <= 100 MB and the failure
 * read (BENCH_1GB=0 skips it). Then 2000 failures with 60 KB names and traces (peak RSS <= 100 MB:
 * what is kept of failures is what is shown). Then the failure locator on 50 failures each holding a 60 KB
 * token without a path, against locating the same number of plain stack traces. Each side runs
 * BENCH_RUNS times (default 3), alternating; the medians are compared and the highest RSS kept.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runtimeNode } from '@rollgate/testbed';
import { measureProcess } from './lib.js';
import { writeCdataFlood, writeJUnit, writeLongFailures } from './reports-gen.js';
import { locate } from '@rollgate/reports';

const root = resolve(import.meta.dirname, '..');
// Both on the Node the action runs on (runs.using: node24), as the runner starts it.
const node = runtimeNode('node24');
const dir = mkdtempSync(join(tmpdir(), 'bench-reports-'));

async function ours(file: string) {
  const out = join(dir, 'out');
  writeFileSync(out, '');
  const r = await measureProcess(node, [join(root, 'dist', 'test', 'index.js')], {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: out,
    INPUT_REPORTS: file,
    'INPUT_FAIL-ON': 'none',
    'INPUT_MIN-TESTS': '1',
    'INPUT_MAX-ANNOTATIONS': '10',
  });
  if (r.code !== 0) throw new Error(`test action failed: ${r.stdout.slice(-2000)}`);
  const written = (await import('node:fs')).readFileSync(out, 'utf8');
  const field = (name: string) => new RegExp(`(?:^|\\n)${name}<<(\\S+)\\n([^\\n]*)\\n`).exec(written)?.[2];
  return { ...r, total: Number(field('total')), failed: Number(field('failed')) };
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
  const r = await measureProcess(node, [script, file]);
  return { ...r, total: Number(r.stdout.trim()) };
}

try {
  const file = join(dir, 'junit-100mb.xml');
  await writeJUnit(file, 200_000);
  const mb = Math.round(statSync(file).size / 1e6);
  // Alternating runs, the medians compared: one run of each swings by 15-25% on a shared machine.
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const as: Awaited<ReturnType<typeof xml2js>>[] = [];
  const bs: Awaited<ReturnType<typeof ours>>[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await xml2js(file));
    bs.push(await ours(file));
  }
  const mid = <T extends { ms: number }>(xs: T[]) => [...xs].sort((x, y) => x.ms - y.ms)[xs.length >> 1] as T;
  const a = mid(as);
  const b = { ...mid(bs), rssMb: Math.max(...bs.map((x) => x.rssMb)) };
  const speedup = a.ms / b.ms;
  console.log(
    JSON.stringify({
      bench: 'test action parse vs xml2js',
      node: 'node24',
      fileMb: mb,
      cases: b.total,
      runs,
      oursMs: Math.round(b.ms),
      oursRunsMs: bs.map((x) => Math.round(x.ms)),
      oursPeakRssMb: b.rssMb,
      xml2jsMs: Math.round(a.ms),
      xml2jsRunsMs: as.map((x) => Math.round(x.ms)),
      xml2jsPeakRssMb: a.rssMb,
      speedup: Number(speedup.toFixed(2)),
      targets: { speedup: '>= 10', peakRssMb: '<= 100' },
      sameCount: a.total === b.total,
    }),
  );
  let ok = speedup >= 10 && b.rssMb <= 100 && as.every((x) => x.total === b.total);
  rmSync(file);
  if (process.env.BENCH_1GB !== '0') {
    const big = join(dir, 'junit-1gb-cdata.xml');
    await writeCdataFlood(big, 300, 10_000_000);
    const g = await ours(big);
    const bigOk = g.rssMb <= 100 && g.failed === 1 && g.total === 10_000_001;
    console.log(
      JSON.stringify({
        bench: 'test action on a 1 GB report with a 300 MB CDATA section',
        fileMb: Math.round(statSync(big).size / 1e6),
        cases: g.total,
        failed: g.failed,
        ms: Math.round(g.ms),
        peakRssMb: g.rssMb,
        targets: { peakRssMb: '<= 100', failed: 1 },
        met: bigOk,
      }),
    );
    ok &&= bigOk;
    rmSync(big);
  }
  // 2000 failures with 60 KB names and traces: what is kept is bounded by what is shown.
  const long = join(dir, 'junit-long-failures.xml');
  await writeLongFailures(long, 2000);
  const l = await ours(long);
  const longOk = l.rssMb <= 100 && l.failed === 2000;
  console.log(
    JSON.stringify({
      bench: 'test action on 2000 failures with 60 KB names and traces',
      fileMb: Math.round(statSync(long).size / 1e6),
      failed: l.failed,
      ms: Math.round(l.ms),
      peakRssMb: l.rssMb,
      targets: { peakRssMb: '<= 100' },
      met: longOk,
    }),
  );
  ok &&= longOk;
  rmSync(long);
  // The locator: 50 failures holding a 60 KB token without a path, against 50 plain stack traces.
  const token = 'deadbeef'.repeat(7680);
  const hostile = Array.from({ length: 50 }, (_, i) => ({
    classname: '',
    name: `t${i}`,
    outcome: 'failure' as const,
    details: `dump ${token} end`,
  }));
  const plain = Array.from({ length: 50 }, (_, i) => ({
    classname: '',
    name: `t${i}`,
    outcome: 'failure' as const,
    details: `Error\n    at f (${dir}/src/a${i}.ts:${i}:1)`,
  }));
  const time = (fs: typeof hostile) => {
    const t0 = performance.now();
    for (const f of fs) locate(f, dir);
    return performance.now() - t0;
  };
  time(plain);
  const locatorMs = time(hostile);
  const anchorMs = time(plain);
  console.log(
    JSON.stringify({
      bench: 'failure locator, 50 x 60 KB tokens',
      ms: Number(locatorMs.toFixed(1)),
      anchorPlainTracesMs: Number(anchorMs.toFixed(2)),
      target: 'ms < 1000',
    }),
  );
  ok &&= locatorMs < 1000;
  console.log(`reports bench: ${speedup.toFixed(2)}x xml2js, peak RSS ${b.rssMb} MB: ${ok ? 'met' : 'NOT met'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
