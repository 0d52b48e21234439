/**
 * npm run bench:release — the release action (bundle, dry-run) against semantic-release
 * --dry-run (conventionalcommits preset) on the same generated repository, in the same run.
 * Target: ours <= 0.2 x semantic-release (issue 14; was 0.25), same version; cost follows the unreleased commits,
 * not the history (20k vs 200k commits).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeHistory, timed, type History } from './lib.js';

const root = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function ours(repo: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'out-')), 'output');
  writeFileSync(out, '');
  const r = spawnSync(process.execPath, [join(root, 'dist', 'release', 'index.js')], {
    cwd: repo,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_WORKSPACE: repo,
      GITHUB_OUTPUT: out,
      GITHUB_REPOSITORY: 'bench/repo',
      'INPUT_DRY-RUN': 'true',
      'INPUT_TAG-PREFIX': 'v',
      'INPUT_INITIAL-VERSION': '0.1.0',
    },
  });
  if (r.status !== 0) throw new Error(`release action failed: ${r.stdout}${r.stderr}`);
  return /^version<<(\S+)\n(.*)\n\1$/m.exec(readFileSync(out, 'utf8'))?.[2] ?? '';
}

function semanticRelease(repo: string, remote: string): string {
  writeFileSync(
    join(repo, '.releaserc.json'),
    JSON.stringify({
      branches: ['main'],
      repositoryUrl: `file://${remote}`,
      plugins: [
        ['@semantic-release/commit-analyzer', { preset: 'conventionalcommits' }],
        ['@semantic-release/release-notes-generator', { preset: 'conventionalcommits' }],
      ],
    }),
  );
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'semantic-release', 'bin', 'semantic-release.js'), '--dry-run', '--no-ci'],
    {
      cwd: repo,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    },
  );
  const version = /The next release version is (\S+)/.exec(r.stdout)?.[1];
  if (!version)
    throw new Error(
      `semantic-release gave no version (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    );
  return version;
}

function measure(h: History, withAnchor: boolean) {
  const { repo, remote, tags } = makeHistory(h);
  try {
    const mine = timed(RUNS, () => ours(repo));
    const anchor = withAnchor ? timed(Math.min(RUNS, 3), () => semanticRelease(repo, remote)) : undefined;
    return {
      ...h,
      tags,
      oursMs: Math.round(mine.ms),
      oursVersion: mine.result,
      anchorMs: anchor && Math.round(anchor.ms),
      anchorVersion: anchor?.result,
    };
  } finally {
    rmSync(repo, { recursive: true, force: true });
    rmSync(remote, { recursive: true, force: true });
  }
}

const base = measure({ commits: 20_000, tagEvery: 200, unreleased: 200 }, true);
const ratio = (base.oursMs / (base.anchorMs as number)).toFixed(3);
console.log(
  JSON.stringify({
    bench: 'release vs semantic-release',
    ...base,
    ratio: Number(ratio),
    target: 0.2,
    sameVersion: base.oursVersion === base.anchorVersion,
  }),
);

const big = measure({ commits: 200_000, tagEvery: 200, unreleased: 200 }, false);
console.log(
  JSON.stringify({
    bench: 'release: 200k vs 20k commits, 200 unreleased each',
    commits: big.commits,
    oursMs: big.oursMs,
    version: big.oursVersion,
    ratioTo20k: Number((big.oursMs / base.oursMs).toFixed(3)),
  }),
);

const more = measure({ commits: 20_000, tagEvery: 200, unreleased: 2_000 }, false);
console.log(
  JSON.stringify({
    bench: 'release: 2000 vs 200 unreleased commits, 20k history',
    oursMs: more.oursMs,
    ratioTo200: Number((more.oursMs / base.oursMs).toFixed(3)),
  }),
);

const ok = Number(ratio) <= 0.2 && base.oursVersion === base.anchorVersion;
console.log(
  `release bench: ratio ${ratio} (target <= 0.2), versions ${base.oursVersion} / ${base.anchorVersion}: ${ok ? 'met' : 'NOT met'}`,
);
process.exitCode = ok ? 0 : 1;
