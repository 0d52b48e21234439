/**
 * npm run bench:cold-start — how long each action takes to start, as the runner starts it
 * (`node dist/<name>/index.js`), next to bare `node -e 0` measured in the same run. Each bundle
 * is started with no inputs, so it loads what its entry point imports up front and stops at its
 * first required input: the cost every run of the action pays before doing anything. What a
 * path needs only sometimes (Octokit in a dry run, the artifact client without an upload, glob)
 * is imported when that path runs, so it is not in these numbers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'cold-'));

function median(argv: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = join(dir, `out-${i}`);
    writeFileSync(out, '');
    const t0 = performance.now();
    spawnSync(process.execPath, argv, {
      cwd: dir,
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, GITHUB_STATE: out },
      stdio: 'ignore',
    });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

const anchor = median(['-e', '0']);
const rows: { action: string; ms: number; ratio: number }[] = [];
for (const name of readdirSync(join(root, 'dist')).sort()) {
  for (const entry of ['index.js', 'post/index.js']) {
    const file = join(root, 'dist', name, entry);
    if (!existsSync(file)) continue;
    const ms = median([file]);
    rows.push({
      action: entry === 'post/index.js' ? `${name} (post)` : name,
      ms: Math.round(ms),
      ratio: Number((ms / anchor).toFixed(2)),
    });
  }
}
console.log(
  JSON.stringify({
    bench: 'cold start of each action',
    nodeMs: Math.round(anchor),
    node: process.version,
    actions: rows,
  }),
);
for (const r of rows)
  console.log(`${r.action.padEnd(16)} ${String(r.ms).padStart(5)} ms  ${r.ratio.toFixed(2)}x node -e 0`);
