/**
 * A program run with a time limit, that can be stopped: it starts in a process group of its own
 * (no shell, an argument array, the least environment), and a timeout or the job's cancellation
 * ends the whole group (SIGTERM, then SIGKILL after a grace period), so a deploy script that
 * hangs, and whatever it started in its group, never outlives the step. Output is echoed as the
 * runner shows a command's (`[command]program args`, then its lines) and kept for the error line.
 */
import { spawn } from 'node:child_process';
import { ActionError } from './errors.js';
import { Cancelled } from './cancel.js';
import { leastEnvironment } from './exec.js';

export interface BoundedOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** The longest the program may run, in ms. */
  timeoutMs: number;
  /** The job's cancellation: ends the program's group at once. */
  signal?: AbortSignal;
  /** How long SIGTERM has before SIGKILL (default 5 s). */
  graceMs?: number;
  /** Where the output goes (default: the step's stdout, as the runner shows a command's). */
  write?: (text: string) => void;
}

const KEPT = 64 * 1024;

/** Runs `program args...`; throws an ActionError naming `what` on a non-zero exit or a timeout, Cancelled on cancellation. */
export function execBounded(what: string, program: string, args: string[], options: BoundedOptions): Promise<void> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  write(`[command]${[program, ...args].join(' ')}\n`);
  return new Promise((resolve, reject) => {
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      write(text);
      tail = (tail + text).slice(-KEPT);
    };
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...leastEnvironment(), ...(options.env ?? {}) },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let ended: 'timeout' | 'cancelled' | undefined;
    let killer: NodeJS.Timeout | undefined;
    const stopGroup = (why: 'timeout' | 'cancelled') => {
      if (ended || child.exitCode !== null) return;
      ended = why;
      killGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.graceMs ?? 5000);
      killer.unref();
    };
    const timer = setTimeout(() => stopGroup('timeout'), options.timeoutMs);
    const onAbort = () => stopGroup('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error: Error & { code?: string }) => {
      done();
      reject(
        error.code === 'ENOENT'
          ? new ActionError(`${what} failed: '${program}' was not found (on PATH, or a path to an executable).`)
          : error,
      );
    });
    // The program's exit ends the wait; a service it started in the background may hold its output
    // open, so the streams get a moment to drain and are then let go (as @actions/exec's delay).
    child.on('exit', (code, signal) => {
      done();
      const drained = new Promise((ok) => {
        child.once('close', ok);
        setTimeout(ok, 2000).unref();
      });
      void drained.then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(code, signal);
      });
    });
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      // Whatever the program left in its group goes with it once it was stopped.
      if (ended) {
        killGroup(child.pid, 'SIGKILL');
        if (killer) clearTimeout(killer);
      }
      if (ended === 'cancelled') return reject(new Cancelled());
      if (ended === 'timeout')
        return reject(
          new ActionError(
            `${what} timed out: '${[program, ...args].join(' ')}' ran longer than ${Math.round(options.timeoutMs / 1000)}s and was stopped with its process group`,
          ),
        );
      if (code === 0) return resolve();
      const last = tail.trim().split('\n').slice(-1)[0] ?? '';
      reject(
        new ActionError(
          `${what} failed: '${[program, ...args].join(' ')}' exited with ${code === null ? `signal ${signal}` : `code ${code}`}${last ? `: ${last}` : ''}`,
        ),
      );
    };
  });
}

/** Signals a whole process group (the program and what it started), ignoring one already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
