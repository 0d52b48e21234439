/**
 * A rehearsal plan (rehearse/README.md): what to serve, the repository's variables, its
 * environments, and the steps (commits, pushes, dispatches) in order. Read and checked before
 * anything starts: a plan that cannot be read stops with one line naming the key.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export type Serve = 'none' | 'nginx' | 'router' | 'auto';
export type Review = 'approved' | 'rejected';

export interface CommitStep {
  kind: 'commit';
  name: string;
  message: string;
  /** Path in the repository -> its new content. */
  files: Record<string, string>;
}

export interface RunStep {
  kind: 'push' | 'dispatch';
  name: string;
  /** The workflow file, under .github/workflows/. */
  workflow: string;
  inputs: Record<string, string>;
  /** Variables for this run only, over the repository's. */
  vars: Record<string, string>;
  /** How a job waiting for an environment's reviewers is reviewed. */
  review?: Review;
  expect: 'success' | 'failure';
}

export type Step = CommitStep | RunStep;

export interface Plan {
  /** The folder the plan's relative paths start from. */
  dir: string;
  visibility: 'private' | 'public';
  serve: Serve;
  /** Loopback addresses for the deploys: {{address.1}} … */
  addresses: number;
  /** Requests a second at the serving address, from the first run that succeeds (0: none). */
  load: number;
  /** Failed user requests do not fail the rehearsal (a plan that ships a bad release on purpose). */
  allowFailedRequests: boolean;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /** Path in the repository -> a file to copy there before the first run (relative to `dir`; placeholders allowed). */
  files: Record<string, string>;
  environments: Record<string, { reviewers: string[]; waitTimer: number; vars: Record<string, string> }>;
  steps: Step[];
}

export class PlanError extends Error {}

type Json = Record<string, unknown>;

const TOP = [
  'visibility',
  'serve',
  'addresses',
  'load',
  'allow-failed-requests',
  'vars',
  'vars-file',
  'secrets-file',
  'files',
  'environments',
  'steps',
];

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A map of strings (numbers and booleans as YAML wrote them), or an error naming `where`. */
function strings(v: unknown, where: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) throw new PlanError(`${where}: expected a map of names to values`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')
      throw new PlanError(`${where}.${k}: expected a string, got ${JSON.stringify(x)}`);
    out[k] = String(x);
  }
  return out;
}

/** KEY=VALUE lines (blank lines and # comments skipped), the format of `gh variable set -f`. */
export function readEnvFile(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) throw new PlanError(`${where}:${i + 1}: expected NAME=value, got ${JSON.stringify(line)}`);
    out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1').replace(/\\n/g, '\n');
  }
  return out;
}

function oneOf<T extends string>(v: unknown, options: readonly T[], where: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (!options.includes(v as T))
    throw new PlanError(`${where}: expected one of ${options.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

function count(v: unknown, where: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 64)
    throw new PlanError(`${where}: expected a whole number from 0 to 64, got ${JSON.stringify(v)}`);
  return v;
}

function flag(v: unknown, where: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new PlanError(`${where}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function workflowName(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[\w.-]+\.ya?ml$/.test(v))
    throw new PlanError(
      `${where}: expected a workflow file name under .github/workflows (deliver.yml), got ${JSON.stringify(v)}`,
    );
  return v;
}

function step(raw: unknown, i: number): Step {
  const where = `steps[${i}]`;
  if (!isMap(raw)) throw new PlanError(`${where}: expected a map with commit, push or dispatch`);
  const kinds = (['commit', 'push', 'dispatch'] as const).filter((k) => k in raw);
  if (kinds.length !== 1) throw new PlanError(`${where}: expected exactly one of commit, push, dispatch`);
  const kind = kinds[0] as 'commit' | 'push' | 'dispatch';
  const allowed =
    kind === 'commit' ? ['commit', 'name', 'files'] : [kind, 'name', 'inputs', 'vars', 'review', 'expect'];
  for (const k of Object.keys(raw))
    if (!allowed.includes(k)) throw new PlanError(`${where}.${k}: not a key of a ${kind} step (${allowed.join(', ')})`);
  if (raw.name !== undefined && typeof raw.name !== 'string') throw new PlanError(`${where}.name: expected a string`);
  if (kind === 'commit') {
    if (typeof raw.commit !== 'string' || !raw.commit.trim())
      throw new PlanError(`${where}.commit: expected a commit message`);
    const message = raw.commit;
    return {
      kind,
      name: (raw.name as string) ?? `commit: ${message}`,
      message,
      files: strings(raw.files, `${where}.files`),
    };
  }
  const workflow = workflowName(raw[kind], `${where}.${kind}`);
  if (kind === 'push' && raw.inputs !== undefined) throw new PlanError(`${where}.inputs: a push has no inputs`);
  const review =
    raw.review === undefined
      ? undefined
      : oneOf(raw.review, ['approved', 'rejected'] as const, `${where}.review`, 'approved');
  return {
    kind,
    name: (raw.name as string) ?? `${kind} ${workflow}`,
    workflow,
    inputs: strings(raw.inputs, `${where}.inputs`),
    vars: strings(raw.vars, `${where}.vars`),
    ...(review ? { review } : {}),
    expect: oneOf(raw.expect, ['success', 'failure'] as const, `${where}.expect`, 'success'),
  };
}

function environments(v: unknown): Plan['environments'] {
  if (v === undefined) return {};
  if (!isMap(v)) throw new PlanError('environments: expected a map of environment names');
  const out: Plan['environments'] = {};
  for (const [name, raw] of Object.entries(v)) {
    const where = `environments.${name}`;
    if (!isMap(raw)) throw new PlanError(`${where}: expected a map (reviewers, wait-timer, vars)`);
    for (const k of Object.keys(raw))
      if (!['reviewers', 'wait-timer', 'vars'].includes(k))
        throw new PlanError(`${where}.${k}: not a key (reviewers, wait-timer, vars)`);
    const reviewers = raw.reviewers ?? [];
    if (!Array.isArray(reviewers) || reviewers.some((r) => typeof r !== 'string'))
      throw new PlanError(`${where}.reviewers: expected a list of user logins`);
    const waitTimer = raw['wait-timer'] ?? 0;
    if (typeof waitTimer !== 'number' || !Number.isInteger(waitTimer) || waitTimer < 0 || waitTimer > 43200)
      throw new PlanError(`${where}.wait-timer: expected minutes from 0 to 43200`);
    out[name] = { reviewers: reviewers as string[], waitTimer, vars: strings(raw.vars, `${where}.vars`) };
  }
  return out;
}

/** The plan in `text` (read from `file`): checked whole, every relative path taken from the plan's folder. */
export function parsePlan(
  text: string,
  file: string,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Plan {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new PlanError(`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isMap(raw)) throw new PlanError(`${file}: expected a map with steps`);
  for (const k of Object.keys(raw))
    if (!TOP.includes(k)) throw new PlanError(`${k}: not a key of a plan (${TOP.join(', ')})`);
  const dir = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  const fileOf = (key: string) => {
    const v = raw[key];
    if (v === undefined) return {};
    if (typeof v !== 'string') throw new PlanError(`${key}: expected a path to a NAME=value file`);
    let text: string;
    try {
      text = read(at(v));
    } catch {
      throw new PlanError(`${key}: cannot read ${at(v)}`);
    }
    return readEnvFile(text, v);
  };
  if (!Array.isArray(raw.steps) || raw.steps.length === 0)
    throw new PlanError('steps: expected a list of at least one step');
  const files = strings(raw.files, 'files');
  return {
    dir,
    visibility: oneOf(raw.visibility, ['private', 'public'] as const, 'visibility', 'private'),
    serve: oneOf(raw.serve, ['none', 'nginx', 'router', 'auto'] as const, 'serve', 'none'),
    addresses: count(raw.addresses, 'addresses', 0),
    load: count(raw.load, 'load', 0),
    allowFailedRequests: flag(raw['allow-failed-requests'], 'allow-failed-requests'),
    vars: { ...fileOf('vars-file'), ...strings(raw.vars, 'vars') },
    secrets: fileOf('secrets-file'),
    files,
    environments: environments(raw.environments),
    steps: raw.steps.map(step),
  };
}
