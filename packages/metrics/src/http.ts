/** http: GET a URL (the query), read a number at the check's JSON path such as `$.data.errors[0].rate`. */
import { getJson, type HttpOptions, type MetricsSource, type Reading } from './source.js';

export function jsonPath(value: unknown, path: string): unknown {
  const parts = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur = value;
  for (const p of parts) {
    if (cur === null || cur === undefined) return undefined;
    const key = p.startsWith('[') ? Number(p.slice(1, -1)) : p;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export class HttpSource implements MetricsSource {
  readonly name = 'http';
  constructor(private readonly options: HttpOptions) {}

  async read(url: string, path = '$'): Promise<Reading> {
    const r = await getJson(url, this.options);
    if (!r.ok) return { kind: 'unreachable', detail: `${url}: ${r.detail}` };
    const v = jsonPath(r.json, path);
    if (v === null || v === undefined || v === '') return { kind: 'no-data', detail: `nothing at ${path}` };
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? { kind: 'value', value: n } : { kind: 'no-data', detail: `${path} is ${JSON.stringify(v)}, not a number` };
  }
}
