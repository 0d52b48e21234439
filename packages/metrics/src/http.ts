/** http: GET a URL (the query), read a number at the check's JSON path such as `$.data.errors[0].rate`. */
import { getJson, toReading, type HttpOptions, type MetricsSource, type ReadLimits, type Reading } from './source.js';

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

  async read(url: string, path = '$', limits: ReadLimits = {}): Promise<Reading> {
    const r = await getJson(url, this.options, limits);
    if (!r.ok) return { kind: 'unreachable', detail: `${url}: ${r.detail}` };
    const v = jsonPath(r.json, path);
    if (v === undefined) return { kind: 'no-data', detail: `nothing at ${path}` };
    return toReading(v, path);
  }
}
