/** Expressions, conditions and job order for the local workflow runner. */
import { evaluate, interpolate, type Contexts } from '../expressions.js';

export type Json = Record<string, unknown>;

export const UNSUPPORTED_JOB_KEYS = ['strategy', 'services', 'container'];

export function expr(value: unknown, contexts: Contexts, fns: Record<string, () => boolean>): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value);
  if (whole && !whole[1]?.includes('}}')) return evaluate((whole[1] as string).trim(), contexts, fns);
  return interpolate(value, contexts, fns);
}

export function condition(value: unknown, contexts: Contexts, fns: Record<string, () => boolean>): boolean {
  if (value === undefined || value === null || value === '') return fns.success?.() ?? true;
  if (typeof value === 'boolean') return value && (fns.success?.() ?? true);
  const text = String(value)
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  const usesStatus = /\b(success|failure|always|cancelled)\s*\(/.test(text);
  const v = evaluate(usesStatus ? text : `success() && (${text})`, contexts, fns);
  return Boolean(v) && v !== 'false' && v !== 0 && v !== '';
}

export function toStrings(
  o: Json | undefined,
  contexts: Contexts,
  fns: Record<string, () => boolean>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) {
    const r = expr(v, contexts, fns);
    out[k] = r === null || r === undefined ? '' : typeof r === 'object' ? JSON.stringify(r) : String(r);
  }
  return out;
}

export function order(jobs: Record<string, Json>): string[] {
  const done: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (done.includes(id)) return;
    if (path.includes(id)) throw new Error(`needs cycle: ${[...path, id].join(' -> ')}`);
    const needs = ([] as string[]).concat((jobs[id]?.needs as string | string[] | undefined) ?? []);
    for (const n of needs) {
      if (!jobs[n]) throw new Error(`job ${id} needs unknown job ${n}`);
      visit(n, [...path, id]);
    }
    done.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return done;
}
