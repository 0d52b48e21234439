/** Shared helpers for benchmarks: timing, medians, synthetic git histories via git fast-import. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Runs `fn` `n` times and returns the median wall time in ms and the last result. */
export function timed<T>(n: number, fn: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: median(times), result: result as T };
}

export interface History {
  commits: number;
  /** An annotated release tag every `tagEvery` commits... */
  tagEvery: number;
  /** ...except the last `unreleased` commits. */
  unreleased: number;
}

const MESSAGES = [
  'feat(api): add endpoint',
  'fix: handle empty body',
  'chore: bump deps',
  'docs: explain',
  'fix(db): retry on timeout',
  'refactor: tidy',
  'perf: cache lookups',
  'test: more cases',
];

/**
 * Writes a repository with a synthetic Conventional Commits history through git fast-import
 * (seconds for 200k commits) and a bare clone to act as its remote. Tags are v1.<k>.0.
 */
export function makeHistory(h: History): { repo: string; remote: string; tags: number } {
  const repo = mkdtempSync(join(tmpdir(), 'bench-repo-'));
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const lines: string[] = [];
  const released = h.commits - h.unreleased;
  let tags = 0;
  for (let i = 1; i <= h.commits; i++) {
    const msg = `${MESSAGES[i % MESSAGES.length]} ${i}\n`;
    const ts = 1_700_000_000 + i * 60;
    lines.push(
      'commit refs/heads/main',
      `mark :${i}`,
      `committer Bench <bench@example.com> ${ts} +0000`,
      `data ${Buffer.byteLength(msg)}`,
      msg.slice(0, -1),
    );
    if (i > 1) lines.push(`from :${i - 1}`);
    lines.push(`M 644 inline file.txt`, `data ${String(i).length}`, String(i), '');
    if (i <= released && i % h.tagEvery === 0) {
      tags++;
      const tmsg = `v1.${tags}.0\n`;
      lines.push(
        `tag v1.${tags}.0`,
        `from :${i}`,
        `tagger Bench <bench@example.com> ${ts} +0000`,
        `data ${Buffer.byteLength(tmsg)}`,
        tmsg.slice(0, -1),
        '',
      );
    }
  }
  const r = spawnSync('git', ['fast-import', '--quiet'], {
    cwd: repo,
    input: lines.join('\n') + '\n',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: repo });
  const remote = mkdtempSync(join(tmpdir(), 'bench-remote-'));
  execFileSync('git', ['clone', '-q', '--bare', repo, remote]);
  execFileSync('git', ['remote', 'add', 'origin', `file://${remote}`], { cwd: repo });
  execFileSync('git', ['fetch', '-q', 'origin'], { cwd: repo });
  execFileSync('git', ['branch', '-q', '--set-upstream-to=origin/main', 'main'], { cwd: repo });
  return { repo, remote, tags };
}

/** Runs a command, returning wall ms and peak RSS in MB (VmHWM polled from /proc). */
export async function measureProcess(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ms: number; rssMb: number; stdout: string; code: number | null }> {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 10);
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  clearInterval(poll);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rssMb: Math.round(peak / 1024), stdout, code };
}
