/**
 * Running programs without a shell: the command line is split into an argument
 * array here, and @actions/exec starts the program directly.
 */
import { which } from '@actions/io';
import { ActionError, InputError } from './errors.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Echo output to the log (default true). */
  echo?: boolean;
  input?: Buffer;
}

/**
 * Splits a command line into arguments the way a user expects from a shell, but
 * with no expansion at all: single quotes are literal, double quotes allow \" and \\,
 * backslash escapes the next character outside quotes. `$VAR`, globs, `;`, `|` stay text.
 */
export function splitArgs(command: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) current += command[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inArg = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      inArg = true;
    } else if (/\s/.test(c)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += c;
      inArg = true;
    }
  }
  if (quote) throw new ActionError(`Unterminated ${quote} quote in command: ${command}`);
  if (inArg) args.push(current);
  return args;
}

/**
 * What no program the suite starts may inherit: the action's inputs (tokens among them) and
 * the runner's service credentials, which the runner itself never gives to a `run:` step
 * (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL reach the cache and artifact services: a
 * postinstall script holding them could poison the cache). A command gets what it needs by
 * name (ROLLGATE_*).
 */
const WITHHELD = [
  /^INPUT_/i,
  /^ACTIONS_RUNTIME_(TOKEN|URL)$/,
  /^ACTIONS_RESULTS_URL$/,
  /^ACTIONS_CACHE_URL$/,
  /^ACTIONS_ID_TOKEN_REQUEST_(TOKEN|URL)$/,
  /^STATE_/,
];

export function leastEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !WITHHELD.some((re) => re.test(k))) out[k] = v;
  return out;
}

/** Runs `program args...` and returns its exit code and output; never throws on a non-zero exit. */
export async function execFile(program: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { getExecOutput } = await import('@actions/exec');
  try {
    const env = { ...leastEnvironment(), ...(options.env ?? {}) };
    return await getExecOutput(program, args, {
      cwd: options.cwd,
      env,
      silent: options.echo === false,
      ignoreReturnCode: true,
      input: options.input,
    });
  } catch (error) {
    const msg = error instanceof Error ? error.message : String(error);
    if (/Unable to locate executable|ENOENT/.test(msg)) {
      throw new ActionError(
        `Command not found: '${program}'. Check the command input and that the program is installed on the runner.`,
      );
    }
    throw error;
  }
}

/** Runs a command and throws an ActionError naming `what` when it exits non-zero. */
export async function execChecked(
  what: string,
  program: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const result = await execFile(program, args, options);
  if (result.exitCode !== 0) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-1)[0] ?? '';
    throw new ActionError(
      `${what} failed: '${[program, ...args].join(' ')}' exited with code ${result.exitCode}${tail ? `: ${tail}` : ''}`,
    );
  }
  return result;
}

/** Throws an InputError for the first command whose program cannot be started. */
export async function checkPrograms(commands: { input: string; argv: string[] }[]): Promise<void> {
  for (const { input, argv } of commands) {
    const program = argv[0];
    // @actions/io's which(): a path to an executable, or a name found on PATH ('' when neither).
    if (program && !(await which(program, false))) {
      throw new InputError(
        input,
        'a command whose program exists on the runner (on PATH, or a path to an executable)',
        program,
      );
    }
  }
}
