/**
 * Typed input reading. Pure: it takes a reader (core.getInput in an action, a
 * map in tests) and returns typed values or throws one InputError naming the input.
 */
import { InputError } from './errors.js';

export type InputReader = (name: string) => string;

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface StringOptions {
  required?: boolean;
  /** Used when the input is empty (action.yml defaults arrive through the runner). */
  default?: string;
  /** A pattern the value must match, with a description for the error. */
  pattern?: { regex: RegExp; description: string };
  /**
   * An empty value means itself, not the action.yml default (tag-prefix: '' is "no prefix").
   * The runner still passes the default when the input is left out.
   */
  emptyIsValue?: boolean;
}

export class Inputs {
  /**
   * `defaults`: the action.yml defaults (generated into the action's src/defaults.ts by
   * `npm run docs`). The runner passes them for inputs a workflow leaves out; an input given
   * empty gets them here too, so a default lives in action.yml alone.
   */
  constructor(
    private readonly read: InputReader,
    private readonly defaults: Readonly<Record<string, string>> = {},
  ) {}

  /** Raw trimmed value; empty: the action.yml default ('' when it has none). */
  raw(name: string): string {
    return (this.read(name) ?? '').trim() || (this.defaults[name] ?? '');
  }

  string(name: string, options: StringOptions & { required: true }): string;
  string(name: string, options?: StringOptions): string;
  string(name: string, options: StringOptions = {}): string {
    const value = (options.emptyIsValue ? (this.read(name) ?? '').trim() : this.raw(name)) || options.default || '';
    if (!value && options.required) throw new InputError(name, 'a value (this input is required)');
    if (value && options.pattern && !options.pattern.regex.test(value)) {
      throw new InputError(name, options.pattern.description, value);
    }
    return value;
  }

  /** YAML 1.2 core-schema booleans, as the runner's getBooleanInput accepts. */
  boolean(name: string, fallback = false): boolean {
    const value = this.raw(name);
    if (value === '') return fallback;
    if (TRUE.includes(value)) return true;
    if (FALSE.includes(value)) return false;
    throw new InputError(name, 'true or false', value);
  }

  integer(name: string, range: { min?: number; max?: number; default?: number } = {}): number {
    const value = this.raw(name);
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
    if (value === '' && range.default !== undefined) return range.default;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InputError(name, `a whole number${describeRange(min, max)}`, value);
    }
    return n;
  }

  /** A number (decimals allowed) within a range. */
  number(name: string, range: { min?: number; max?: number; default?: number } = {}): number {
    const value = this.raw(name);
    const { min = -Infinity, max = Infinity } = range;
    if (value === '' && range.default !== undefined) return range.default;
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InputError(name, `a number${describeRange(min, max)}`, value);
    }
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.raw(name) || fallback || '';
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InputError(name, `one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  }

  /** Items separated by newlines or commas; blanks dropped. */
  list(name: string, options: { required?: boolean; separator?: RegExp } = {}): string[] {
    const items = splitList(this.raw(name), options.separator);
    if (options.required && items.length === 0) throw new InputError(name, 'at least one item');
    return items;
  }

  /** `30s`, `5m`, `1.5h`, `250ms` -> milliseconds; `0` (any unit) only with `allowZero`. */
  duration(name: string, fallback?: string, options: { allowZero?: boolean } = {}): number {
    const value = this.raw(name) || fallback || '';
    if (options.allowZero && /^\s*0+(?:\.0+)?\s*(?:ms|s|m|h)?\s*$/.test(value)) return 0;
    const ms = parseDuration(value);
    if (ms === undefined) throw new InputError(name, 'a duration such as 30s, 5m, 1h or 500ms', value);
    return ms;
  }

  /** `5,25,50,100` -> [5, 25, 50, 100]: strictly increasing, 1..100, last one 100. */
  percentages(name: string, fallback?: string): number[] {
    const value = this.raw(name) || fallback || '';
    const steps = parsePercentages(value);
    if (!steps) {
      throw new InputError(
        name,
        'comma-separated percentages from 1 to 100, strictly increasing and ending at 100 (e.g. 5,25,50,100)',
        value,
      );
    }
    return steps;
  }
}

export function splitList(value: string, separator: RegExp = /[\n,]/): string[] {
  return value
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseDuration(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function parsePercentages(value: string): number[] | undefined {
  const parts = splitList(value, /,/);
  if (parts.length === 0) return undefined;
  const steps: number[] = [];
  for (const part of parts) {
    const p = part.endsWith('%') ? part.slice(0, -1) : part;
    if (!/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    if (n < 1 || n > 100 || (steps.length > 0 && n <= (steps.at(-1) as number))) return undefined;
    steps.push(n);
  }
  return steps.at(-1) === 100 ? steps : undefined;
}

function describeRange(min: number, max: number): string {
  const lo = Number.isFinite(min) && min > Number.MIN_SAFE_INTEGER;
  const hi = Number.isFinite(max) && max < Number.MAX_SAFE_INTEGER;
  if (lo && hi) return ` from ${min} to ${max}`;
  if (lo) return ` of at least ${min}`;
  if (hi) return ` of at most ${max}`;
  return '';
}
