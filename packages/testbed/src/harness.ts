/**
 * Runner-contract harness: starts an action's bundle the way the GitHub runner does
 * (`node dist/<name>/index.js` with INPUT_* and the file-command files), then its post
 * step with the saved state, and reads back what the runner would read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { evaluate, interpolate } from './expressions.js';
import { runtimeNode } from './node-runtime.js';
import { parseKeyValueFile, parseStdoutCommands, type Annotation } from './file-commands.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface RunOptions {
  /** Action folder name under actions/, or a path to a folder with action.yml. */
  action: string;
  inputs?: Record<string, string>;
  /** GITHUB_WORKSPACE and the working directory (default: a new temp folder). */
  workspace?: string;
  env?: Record<string, string>;
  event?: { name: string; payload?: object };
  repository?: string;
  sha?: string;
  ref?: string;
  runId?: number;
  runAttempt?: number;
  apiUrl?: string;
  serverUrl?: string;
  token?: string;
  resultsUrl?: string;
  runtimeToken?: string;
  /** Cancel the main step after this many ms: SIGINT, +7.5 s SIGTERM, +2.5 s SIGKILL. */
  cancelAfterMs?: number;
  /** Run the post step right after the main step (default true); false leaves it to runPostStep. */
  post?: boolean;
  /** The event name and the run number; GITHUB_EVENT_NAME follows event.name. */
  runNumber?: number;
  /** Kill the step after this long (default 5 minutes). */
  timeoutMs?: number;
  /** A runner lost: polled every 100 ms while the main step runs; once true, the step's process is SIGKILLed (no post step runs). */
  lostWhen?: () => boolean;
  /** The node binary (default: the one `runs.using` names, see node-runtime.ts). */
  node?: string;
}

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  cancelled: boolean;
  /** The step's process was SIGKILLed as a lost runner's (lostWhen): no post step ran. */
  lost: boolean;
  /** The step ran past `timeoutMs` and was killed. */
  timedOut: boolean;
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  annotations: Annotation[];
  masks: string[];
  debug: string[];
  log: string[];
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The post step's result, when one ran. */
  post?: StepResult;
  /** The error line from ::error:: without a file (what core.setFailed printed). */
  error?: string;
  /** What runPostStep needs (internal). */
  context?: unknown;
}

interface Manifest {
  inputs?: Record<string, { default?: unknown }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/** The env var name the runner gives an input: upper case, spaces to `_`, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function actionDir(action: string): string {
  return existsSync(join(action, 'action.yml')) ? resolve(action) : join(REPO_ROOT, 'actions', action);
}

export async function runAction(options: RunOptions): Promise<StepResult> {
  const dir = actionDir(options.action);
  const manifest = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as Manifest;
  const temp = mkdtempSync(join(tmpdir(), 'runner-'));
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'workspace-'));
  const github = githubContext(options, workspace);
  const eventPath = join(temp, 'event.json');
  writeFileSync(eventPath, JSON.stringify(options.event?.payload ?? {}));

  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    if (spec.default !== undefined && spec.default !== null) {
      inputEnv[inputEnvName(name)] = interpolate(String(spec.default), { github, env: options.env ?? {} });
    }
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) inputEnv[inputEnvName(name)] = value;

  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? temp,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'rollgate-harness',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: join(temp, 'toolcache'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_EVENT_NAME: github.event_name,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_REPOSITORY_OWNER: github.repository_owner,
    GITHUB_SHA: github.sha,
    GITHUB_REF: github.ref,
    GITHUB_REF_NAME: github.ref_name,
    GITHUB_RUN_ID: String(github.run_id),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: String(github.run_attempt),
    GITHUB_JOB: 'job',
    GITHUB_ACTION: '__run',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'harness',
    GITHUB_API_URL: github.api_url,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_GRAPHQL_URL: `${github.api_url}/graphql`,
    ...(options.resultsUrl ? { ACTIONS_RESULTS_URL: options.resultsUrl, ACTIONS_CACHE_SERVICE_V2: 'true' } : {}),
    ...(options.runtimeToken ? { ACTIONS_RUNTIME_TOKEN: options.runtimeToken } : {}),
  };

  const node = options.node ?? runtimeNode(manifest.runs.using);
  const main = await runStep(
    join(dir, manifest.runs.main),
    temp,
    'main',
    { ...baseEnv, ...options.env, ...inputEnv },
    workspace,
    { ...options, node },
  );
  main.context = { dir, manifest, temp, baseEnv, inputEnv, workspace, github, node };
  if (options.post !== false && !main.lost) await runPostStep(options, main);
  return main;
}

/**
 * Runs the post step of an action whose main step ran through runAction (with `post: false`
 * when a job runs its posts at the end), with the saved state, if action.yml has one and
 * post-if allows it. Sets and returns `main.post`.
 */
export async function runPostStep(
  options: RunOptions,
  main: StepResult,
  jobStatus?: 'success' | 'failure' | 'cancelled',
): Promise<StepResult | undefined> {
  const ctx = main.context as StepContext;
  const { manifest } = ctx;
  if (!manifest.runs.post) return undefined;
  const status = jobStatus ?? (main.cancelled ? 'cancelled' : main.exitCode === 0 ? 'success' : 'failure');
  const runPost = evaluate(
    manifest.runs['post-if'] ?? 'always()',
    { github: ctx.github, env: options.env ?? {} },
    {
      always: () => true,
      success: () => status === 'success',
      failure: () => status === 'failure',
      cancelled: () => status === 'cancelled',
    },
  );
  if (!runPost) return undefined;
  const stateEnv = Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v]));
  main.post = await runStep(
    join(ctx.dir, manifest.runs.post),
    ctx.temp,
    'post',
    { ...ctx.baseEnv, ...options.env, ...ctx.inputEnv, ...stateEnv },
    ctx.workspace,
    {
      ...options,
      node: ctx.node,
      cancelAfterMs: undefined,
    },
  );
  return main.post;
}

interface StepContext {
  dir: string;
  manifest: Manifest;
  temp: string;
  baseEnv: Record<string, string>;
  inputEnv: Record<string, string>;
  workspace: string;
  github: ReturnType<typeof githubContext>;
  node: string;
}

function githubContext(options: RunOptions, workspace: string) {
  const repository = options.repository ?? 'octo-org/service';
  const ref = options.ref ?? 'refs/heads/main';
  return {
    token: options.token ?? '',
    repository,
    repository_owner: repository.split('/')[0] as string,
    sha: options.sha ?? '0'.repeat(40),
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    run_id: options.runId ?? 1000,
    run_attempt: options.runAttempt ?? 1,
    event_name: options.event?.name ?? 'push',
    event: options.event?.payload ?? {},
    api_url: options.apiUrl ?? 'https://api.github.com',
    server_url: options.serverUrl ?? 'https://github.com',
    workspace,
  };
}

async function runStep(
  script: string,
  temp: string,
  phase: string,
  env: Record<string, string>,
  cwd: string,
  options: RunOptions,
): Promise<StepResult> {
  const files = {
    GITHUB_OUTPUT: 'output',
    GITHUB_STATE: 'state',
    GITHUB_ENV: 'env',
    GITHUB_PATH: 'path',
    GITHUB_STEP_SUMMARY: 'summary',
  };
  const fileEnv: Record<string, string> = {};
  for (const [name, base] of Object.entries(files)) {
    const path = join(temp, `${phase}-${base}`);
    writeFileSync(path, '');
    fileEnv[name] = path;
  }
  const started = Date.now();
  const child = spawn(options.node ?? process.execPath, [script], {
    cwd,
    env: { ...env, ...fileEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timers: NodeJS.Timeout[] = [];
  let cancelled = false;
  if (options.cancelAfterMs !== undefined) {
    timers.push(
      setTimeout(() => {
        cancelled = true;
        child.kill('SIGINT');
        timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
        timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
      }, options.cancelAfterMs),
    );
  }
  let timedOut = false;
  timers.push(
    setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000),
  );
  let lost = false;
  if (options.lostWhen) {
    const poll = setInterval(() => {
      if (!options.lostWhen?.()) return;
      lost = true;
      child.kill('SIGKILL');
      clearInterval(poll);
    }, 100);
    timers.push(poll);
  }
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (code, sig) => done([code, sig])),
  );
  for (const t of timers) clearTimeout(t);
  const commands = parseStdoutCommands(stdout);
  const read = (name: string) => readFileSync(fileEnv[name] as string, 'utf8');
  const error = commands.annotations.find((a) => a.level === 'error' && !a.file)?.message;
  return {
    exitCode,
    signal,
    cancelled,
    lost,
    timedOut,
    outputs: parseKeyValueFile(read('GITHUB_OUTPUT')),
    state: parseKeyValueFile(read('GITHUB_STATE')),
    env: parseKeyValueFile(read('GITHUB_ENV')),
    path: read('GITHUB_PATH').split('\n').filter(Boolean),
    summary: read('GITHUB_STEP_SUMMARY'),
    ...commands,
    stdout,
    stderr,
    durationMs: Date.now() - started,
    ...(error !== undefined ? { error } : {}),
  };
}
