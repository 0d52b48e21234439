/**
 * execBounded: a program that hangs is stopped at its time limit with everything it started in
 * its process group; the job's cancellation stops it at once; a failure names the exit and the
 * last line; a service started in the background that keeps the output open does not hold the step.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cancelled, execBounded } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bounded-'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** A script that starts a child in its group, writes the child's pid, then does `rest`. */
const script = (name: string, rest: string) =>
  ['sh', ['-c', `sleep 300 & echo $! > ${join(dir, name)}; ${rest}`]] as const;
const waitGone = async (pid: number) => {
  for (let i = 0; i < 50 && alive(pid); i += 1) await new Promise((ok) => setTimeout(ok, 100));
  return !alive(pid);
};

describe('execBounded: a program with a time limit, stopped with its process group', () => {
  it('stops a hanging program and what it started at the time limit', async () => {
    const [program, args] = script('hang', 'sleep 300');
    const lines: string[] = [];
    await expect(
      execBounded('Deploy', program, [...args], { timeoutMs: 500, graceMs: 500, write: (t) => void lines.push(t) }),
    ).rejects.toThrow(/^Deploy timed out: 'sh -c .*' ran longer than 1s and was stopped with its process group$/);
    const child = Number(readFileSync(join(dir, 'hang'), 'utf8'));
    expect(await waitGone(child)).toBe(true);
    expect(lines[0]).toMatch(/^\[command\]sh -c /);
  });

  it("stops at once on the job's cancellation", async () => {
    const [program, args] = script('cancel', 'sleep 300');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(
      execBounded('Deploy', program, [...args], {
        timeoutMs: 60_000,
        signal: controller.signal,
        write: () => undefined,
      }),
    ).rejects.toBeInstanceOf(Cancelled);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await waitGone(Number(readFileSync(join(dir, 'cancel'), 'utf8')))).toBe(true);
  });

  it('names the exit code and the last line of a failure', async () => {
    await expect(
      execBounded('Deploy', 'sh', ['-c', 'echo starting; echo "no such release" >&2; exit 3'], {
        timeoutMs: 10_000,
        write: () => undefined,
      }),
    ).rejects.toThrow(
      'Deploy failed: \'sh -c echo starting; echo "no such release" >&2; exit 3\' exited with code 3: no such release',
    );
  });

  it('returns when the program exits, though a service it started keeps the output open (and leaves it running)', async () => {
    const started = Date.now();
    await execBounded('Deploy', 'sh', ['-c', `sleep 300 & echo $! > ${join(dir, 'service')}; exit 0`], {
      timeoutMs: 60_000,
      write: () => undefined,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    const service = Number(readFileSync(join(dir, 'service'), 'utf8'));
    expect(alive(service)).toBe(true);
    process.kill(service, 'SIGKILL');
  });

  it('says so when the program does not exist', async () => {
    await expect(
      execBounded('Deploy', 'no-such-program-x', [], { timeoutMs: 1000, write: () => undefined }),
    ).rejects.toThrow("Deploy failed: 'no-such-program-x' was not found (on PATH, or a path to an executable).");
  });
});
