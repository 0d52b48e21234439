import { Cancelled, sleep } from '@rollgate/kit';

/**
 * A metrics source answers a query with a number, or says why it has none. "No data" (an
 * empty result, NaN from a ratio over an idle window) and "unreachable" are distinct answers
 * and neither is ever a pass: the judge fails closed on both.
 */
export type Reading =
  { kind: 'value'; value: number } | { kind: 'no-data'; detail: string } | { kind: 'unreachable'; detail: string };

/** Bounds on one read: the step's deadline (epoch ms) and the job's cancellation. */
export interface ReadLimits {
  deadline?: number;
  signal?: AbortSignal;
}

export interface MetricsSource {
  readonly name: string;
  /** `path`: where the number is in a JSON answer (http checks; Prometheus ignores it). */
  read(query: string, path?: string, limits?: ReadLimits): Promise<Reading>;
}

export interface HttpOptions {
  timeoutMs: number;
  retries: number;
  headers: Record<string, string>;
}

/**
 * GET with a timeout and a few retries on network errors and 5xx; a 4xx is final. Every
 * attempt, retries included, ends by the step's deadline (the timeout shrinks to what is left
 * of it), and the job's cancellation ends it at once.
 */
export async function getJson(
  url: string,
  options: HttpOptions,
  limits: ReadLimits = {},
): Promise<{ ok: true; json: unknown } | { ok: false; detail: string }> {
  let last = '';
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await sleep(200 * attempt, limits.signal);
    const left =
      limits.deadline === undefined ? options.timeoutMs : Math.min(options.timeoutMs, limits.deadline - Date.now());
    if (left <= 0)
      return {
        ok: false,
        detail: last ? `${last}; the step's deadline passed` : "the step's deadline passed before an answer",
      };
    const timeout = AbortSignal.timeout(left);
    const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
    try {
      const res = await fetch(url, { headers: { accept: 'application/json', ...options.headers }, signal });
      const text = await res.text();
      if (res.status >= 500) {
        last = `HTTP ${res.status}`;
        continue;
      }
      if (!res.ok) return { ok: false, detail: `HTTP ${res.status}: ${text.slice(0, 200)}` };
      try {
        return { ok: true, json: JSON.parse(text) as unknown };
      } catch {
        return { ok: false, detail: `not JSON: ${text.slice(0, 100)}` };
      }
    } catch (error) {
      if (limits.signal?.aborted) throw new Cancelled();
      const e = error as Error & { cause?: { code?: string } };
      last = e.name === 'TimeoutError' ? `timed out after ${left}ms` : (e.cause?.code ?? e.message);
    }
  }
  return { ok: false, detail: last };
}

/** A decimal number as Prometheus writes sample values (and JSON APIs write numeric strings). */
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A reading is a finite number or it is no data: a JSON number, or a string that is a decimal
 * number. null, "", " ", false, true, [], {} and "NaN"/"Inf" (an idle window) are no data,
 * never 0 (Number() would read most of them as 0, which passes an error-rate check).
 */
export function toReading(raw: unknown, what: string): Reading {
  let value: number | undefined;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && NUMERIC.test(raw.trim())) value = Number(raw.trim());
  if (value !== undefined && Number.isFinite(value)) return { kind: 'value', value };
  const shown = JSON.stringify(raw) ?? String(raw);
  return {
    kind: 'no-data',
    detail: `${what} is ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}, not a finite number${typeof raw === 'string' && /nan|inf/i.test(raw) ? ' (an idle window)' : ''}`,
  };
}
