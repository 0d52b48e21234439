/**
 * A metrics source answers a query with a number, or says why it has none. "No data" (an
 * empty result, NaN from a ratio over an idle window) and "unreachable" are distinct answers
 * and neither is ever a pass: the judge fails closed on both.
 */
export type Reading = { kind: 'value'; value: number } | { kind: 'no-data'; detail: string } | { kind: 'unreachable'; detail: string };

export interface MetricsSource {
  readonly name: string;
  /** `path`: where the number is in a JSON answer (http checks; Prometheus ignores it). */
  read(query: string, path?: string): Promise<Reading>;
}

export interface HttpOptions {
  timeoutMs: number;
  retries: number;
  headers: Record<string, string>;
}

/** GET with a timeout and a few retries on network errors and 5xx; a 4xx is final. */
export async function getJson(url: string, options: HttpOptions): Promise<{ ok: true; json: unknown } | { ok: false; detail: string }> {
  let last = '';
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * attempt));
    try {
      const res = await fetch(url, { headers: { accept: 'application/json', ...options.headers }, signal: AbortSignal.timeout(options.timeoutMs) });
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
      const e = error as Error & { cause?: { code?: string } };
      last = e.name === 'TimeoutError' ? `timed out after ${options.timeoutMs}ms` : (e.cause?.code ?? e.message);
    }
  }
  return { ok: false, detail: last };
}
