/** Prometheus HTTP API: instant queries (`/api/v1/query`), scalar or first vector sample. */
import { getJson, toReading, type HttpOptions, type MetricsSource, type ReadLimits, type Reading } from './source.js';

interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: unknown };
}

export class PrometheusSource implements MetricsSource {
  readonly name = 'prometheus';
  constructor(
    private readonly baseUrl: string,
    private readonly options: HttpOptions,
  ) {}

  async read(query: string, _path?: string, limits: ReadLimits = {}): Promise<Reading> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
    const r = await getJson(url, this.options, limits);
    if (!r.ok) {
      // A 400 from Prometheus is a bad query: report it as unreachable data, with its message.
      return { kind: 'unreachable', detail: `Prometheus ${this.baseUrl}: ${r.detail}` };
    }
    // The answer's shape is checked, never assumed: https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats
    const body = r.json as PromResponse | null;
    if (!body || typeof body !== 'object')
      return { kind: 'no-data', detail: 'Prometheus answered with no JSON object' };
    if (body.status !== 'success' || !body.data || typeof body.data !== 'object') {
      return { kind: 'unreachable', detail: `Prometheus error: ${body.errorType ?? ''} ${body.error ?? ''}`.trim() };
    }
    const { resultType, result } = body.data;
    const sample = (pair: unknown): Reading =>
      Array.isArray(pair) && pair.length === 2
        ? toReading(pair[1], 'the sample value')
        : { kind: 'no-data', detail: `malformed sample ${JSON.stringify(pair)?.slice(0, 60)}` };
    if (resultType === 'scalar') return sample(result);
    if (resultType !== 'vector') return { kind: 'no-data', detail: `unsupported result type ${String(resultType)}` };
    if (!Array.isArray(result)) return { kind: 'no-data', detail: 'malformed vector result' };
    if (result.length > 1)
      return { kind: 'no-data', detail: `query returned ${result.length} series; aggregate it to one (e.g. sum(...))` };
    if (result.length === 0) return { kind: 'no-data', detail: 'empty result' };
    const item = result[0] as { value?: unknown } | null;
    return item && typeof item === 'object' ? sample(item.value) : { kind: 'no-data', detail: 'malformed vector item' };
  }
}
