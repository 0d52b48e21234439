/**
 * The `metrics` input: a YAML list of checks. Each has a name, a provider (prometheus or
 * http), a query with {{version}}, {{stable}} and {{interval}} placeholders, and either a
 * threshold (max / min) or `compare: baseline` with an allowed increase over stable.
 */
import { parse } from 'yaml';
import { promqlString } from '@rollgate/kit';

export interface Check {
  name: string;
  provider: 'prometheus' | 'http';
  query: string;
  /** For http: where the number is in the JSON answer. */
  path?: string;
  max?: number;
  min?: number;
  compare?: 'baseline';
  /** Allowed increase of the canary's median over stable's: relative (0.2 = 20 %) or absolute. */
  maxIncrease?: { relative: boolean; amount: number };
  /** Noise floor of a baseline comparison: an increase up to this much (absolute) always passes. */
  tolerance?: number;
}

const KEYS = new Set(['name', 'provider', 'query', 'path', 'max', 'min', 'compare', 'max-increase', 'tolerance']);

/** Parses the input; throws an Error whose message says which item and what is wrong. */
export function parseChecks(text: string, defaultProvider: 'prometheus' | 'http' = 'prometheus'): Check[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new Error(`a YAML list of checks (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  if (!Array.isArray(doc) || doc.length === 0)
    throw new Error('a YAML list of checks with name, query and max/min or compare: baseline');
  const names = new Set<string>();
  return doc.map((item, i) => {
    const where = `item ${i + 1}`;
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new Error(`${where} to be a mapping with name, query and max/min or compare`);
    const o = item as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !KEYS.has(k));
    const label = typeof o.name === 'string' ? `${where} (${o.name})` : where;
    if (unknown.length)
      throw new Error(`${label}: known keys only (${[...KEYS].join(', ')}), not ${unknown.join(', ')}`);
    if (typeof o.name !== 'string' || !/^[\w.-]+$/.test(o.name))
      throw new Error(`${label}: a name of letters, digits, '.', '_' or '-'`);
    if (names.has(o.name)) throw new Error(`${label}: a unique name`);
    names.add(o.name);
    if (typeof o.query !== 'string' || !o.query.trim()) throw new Error(`${label}: a query`);
    const provider = (o.provider ?? defaultProvider) as Check['provider'];
    if (provider !== 'prometheus' && provider !== 'http') throw new Error(`${label}: provider prometheus or http`);
    const check: Check = { name: o.name, provider, query: o.query.trim() };
    if (provider === 'http') {
      if (typeof o.path !== 'string')
        throw new Error(`${label}: a JSON path (path: $.data.value) for the http provider`);
      check.path = o.path;
    }
    for (const k of ['max', 'min'] as const) {
      if (o[k] === undefined) continue;
      if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw new Error(`${label}: ${k} to be a number`);
      check[k] = o[k];
    }
    if (o.compare !== undefined) {
      if (o.compare !== 'baseline') throw new Error(`${label}: compare: baseline`);
      check.compare = 'baseline';
      const inc = o['max-increase'] ?? '0%';
      const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(String(inc).trim());
      if (!m) throw new Error(`${label}: max-increase such as 20% (relative) or 0.05 (absolute)`);
      check.maxIncrease = m[2]
        ? { relative: true, amount: Number(m[1]) / 100 }
        : { relative: false, amount: Number(m[1]) };
      if (o.tolerance !== undefined) {
        if (typeof o.tolerance !== 'number' || !Number.isFinite(o.tolerance) || o.tolerance < 0)
          throw new Error(`${label}: tolerance to be a number >= 0 in the metric's unit (e.g. 0.005)`);
        check.tolerance = o.tolerance;
      }
    } else if (o['max-increase'] !== undefined || o.tolerance !== undefined)
      throw new Error(`${label}: max-increase and tolerance only with compare: baseline`);
    if (check.max === undefined && check.min === undefined && !check.compare)
      throw new Error(`${label}: max, min or compare: baseline`);
    return check;
  });
}

/**
 * Fills the placeholders, escaped for where the query goes: a PromQL string literal (versions
 * are validated, and escaped again here) or a URL (percent-encoded, so `+` stays a plus).
 */
export function renderQuery(
  query: string,
  vars: { version: string; stable: string; interval: string; window?: string },
  provider: 'prometheus' | 'http' = 'prometheus',
): string {
  const escape = provider === 'http' ? encodeURIComponent : promqlString;
  const values: Record<string, string> = { ...vars, window: vars.window ?? vars.interval };
  return query.replace(/\{\{\s*(version|stable|interval|window)\s*\}\}/g, (_, k: string) =>
    escape(values[k] as string),
  );
}
