/** Prometheus HTTP API: instant queries (`/api/v1/query`), scalar or first vector sample. */
import { getJson, type HttpOptions, type MetricsSource, type Reading } from './source.js';

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

  async read(query: string): Promise<Reading> {
    const url = `${this.baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
    const r = await getJson(url, this.options);
    if (!r.ok) {
      // A 400 from Prometheus is a bad query: report it as unreachable data, with its message.
      return { kind: 'unreachable', detail: `Prometheus ${this.baseUrl}: ${r.detail}` };
    }
    const body = r.json as PromResponse;
    if (body.status !== 'success' || !body.data) return { kind: 'unreachable', detail: `Prometheus error: ${body.errorType ?? ''} ${body.error ?? ''}`.trim() };
    const { resultType, result } = body.data;
    let raw: string | undefined;
    if (resultType === 'scalar') raw = (result as [number, string])[1];
    else if (resultType === 'vector') {
      const vector = result as { value: [number, string] }[];
      if (vector.length > 1) return { kind: 'no-data', detail: `query returned ${vector.length} series; aggregate it to one (e.g. sum(...))` };
      raw = vector[0]?.value[1];
    } else return { kind: 'no-data', detail: `unsupported result type ${resultType}` };
    if (raw === undefined) return { kind: 'no-data', detail: 'empty result' };
    const value = Number(raw);
    if (!Number.isFinite(value)) return { kind: 'no-data', detail: `value ${raw} (an idle window)` };
    return { kind: 'value', value };
  }
}
