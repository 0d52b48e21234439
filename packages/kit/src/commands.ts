/**
 * The runner's side of an action: inputs from `INPUT_*`, outputs and state through the
 * `GITHUB_OUTPUT` / `GITHUB_STATE` files, the job summary through `GITHUB_STEP_SUMMARY`, and
 * log lines and annotations as workflow commands on stdout. The suite's one home for that
 * protocol, written as @actions/core writes it (packages/kit/test/commands.test.ts holds the two to the
 * same bytes) but without what @actions/core loads at start for the OIDC client (its HTTP
 * client and undici: about a third of an action's start and 10 MB of its memory).
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';

/** Where an annotation points (the runner's `file`, `line`, `endLine`, `col`, `endColumn`). */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::name key=value,...::message`, as the runner parses it (empty properties left out). */
function issue(name: string, message = '', properties: Record<string, string | number | undefined> = {}): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '' && v !== 0)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

function annotation(level: 'error' | 'warning' | 'notice', message: string, p: AnnotationProperties = {}): void {
  issue(level, message, {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  });
}

/** `name<<delimiter` then the value: the multi-line form of a file command, delimiter unguessable. */
function fileCommand(variable: 'GITHUB_OUTPUT' | 'GITHUB_STATE', key: string, value: string): boolean {
  const path = process.env[variable];
  if (!path) return false;
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path} (${variable})`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(path, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  return true;
}

/** The value of an input as the runner passes it (`INPUT_<NAME>`, spaces as `_`), trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export function setOutput(name: string, value: string): void {
  if (!fileCommand('GITHUB_OUTPUT', name, value)) {
    process.stdout.write(EOL);
    issue('set-output', value, { name });
  }
}

/** State for the post step, which reads it as `STATE_<name>`. */
export function saveState(name: string, value: string): void {
  if (!fileCommand('GITHUB_STATE', name, value)) issue('save-state', value, { name });
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

/** Masks the value in every later line of the log. */
export function setSecret(value: string): void {
  issue('add-mask', value);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function debug(message: string): void {
  issue('debug', message);
}

export function error(message: string, properties?: AnnotationProperties): void {
  annotation('error', message, properties);
}

export function warning(message: string, properties?: AnnotationProperties): void {
  annotation('warning', message, properties);
}

export function notice(message: string, properties?: AnnotationProperties): void {
  annotation('notice', message, properties);
}

export function startGroup(name: string): void {
  issue('group', name);
}

export function endGroup(): void {
  issue('endgroup');
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  startGroup(name);
  try {
    return await fn();
  } finally {
    endGroup();
  }
}

/** Fails the step with one error line (the process exits 1 when it is done). */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

/** Appends markdown and a line break to the job summary; false where the runner gave no summary file. */
export async function appendSummary(markdown: string): Promise<boolean> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) return false;
  await appendFile(path, markdown + EOL, 'utf8');
  return true;
}
