/**
 * One validator for the values a rollout writes into other languages: versions and addresses
 * go into nginx config, PromQL label matchers, log lines (where a newline starts a workflow
 * command such as ::add-mask::) and program arguments (where a leading `-` is an option). A
 * value is checked where it enters (inputs) and where it is read back (deployment payloads),
 * with the same rules; what passes can be written into any of those sinks as it is.
 */
import { ActionError } from './errors.js';

/** A version or tag: starts with a letter or digit, then letters, digits, `.`, `_`, `+`, `-`. */
export const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,127}$/;
/** host:port, [IPv6]:port, or unix:/path. */
export const ADDRESS =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\]):(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3})$|^unix:\/[\w./-]{1,200}$/;
/** sha256:<64 hex>. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** An artifact or asset name: no path separators, no control characters, no leading dot or dash. */
export const FILE_NAME = /^[0-9A-Za-z_][0-9A-Za-z._+@-]{0,199}$/;

export const VALUE_RULES = {
  version: {
    regex: VERSION,
    description: 'a version such as 1.3.0 or 2.0.0-rc.1 (letters, digits, . _ + -, starting with a letter or digit)',
  },
  address: { regex: ADDRESS, description: 'host:port (e.g. 10.0.0.5:8080 or app-v2:80), [IPv6]:port or unix:/path' },
  digest: { regex: DIGEST, description: 'sha256:<64 hex digits>' },
  name: {
    regex: FILE_NAME,
    description: 'a file name of letters, digits, . _ + @ -, starting with a letter, digit or _',
  },
} as const;

export type ValueKind = keyof typeof VALUE_RULES;

export function isValid(kind: ValueKind, value: unknown): value is string {
  return typeof value === 'string' && VALUE_RULES[kind].regex.test(value);
}

/** The value, or an ActionError naming where it came from and what was expected. */
export function checkValue(kind: ValueKind, value: unknown, where: string): string {
  if (isValid(kind, value)) return value;
  const shown = JSON.stringify(value) ?? String(value);
  throw new ActionError(
    `${where} is not ${VALUE_RULES[kind].description}: ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`,
  );
}

/** A label value inside a PromQL double-quoted string: backslash, quote and newline escaped. */
export function promqlString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
