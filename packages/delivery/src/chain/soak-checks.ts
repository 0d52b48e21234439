/**
 * Optional checks of the previous environment over the soak window, before a release leaves it:
 * each check (threshold only) is read once over the last `soak` (`{{window}}`, `{{interval}}`)
 * for the version being promoted, and must be a finite number within its bounds. No data, an
 * unreachable source or a breach refuses the promotion; nothing is ever a pass by default.
 */
import { InputError, type Inputs } from '@rollgate/kit';
import { parseChecks, renderQuery, thresholdBreach, type Check } from '@rollgate/analysis';
import { HttpSource, PrometheusSource, type MetricsSource } from '@rollgate/metrics';
import { PromotionRefused } from './admit.js';

export interface SoakChecks {
  checks: Check[];
  sources: Partial<Record<Check['provider'], MetricsSource>>;
}

/** soak-metrics and soak-prometheus-url (default prometheus-url); undefined when no soak checks are set. */
export function readSoakChecks(inputs: Inputs, soakMs: number): SoakChecks | undefined {
  const text = inputs.string('soak-metrics');
  if (!text) return undefined;
  let checks: Check[];
  try {
    checks = parseChecks(text);
  } catch (error) {
    throw new InputError('soak-metrics', (error as Error).message);
  }
  const compared = checks.find((c) => c.compare === 'baseline');
  if (compared)
    throw new InputError('soak-metrics', `threshold checks (max or min); '${compared.name}' compares with a baseline`);
  if (soakMs === 0)
    throw new InputError('soak', 'more than 0 with soak-metrics (the window the checks read)', inputs.string('soak'));
  const sources: SoakChecks['sources'] = {};
  const options = { timeoutMs: 10_000, retries: 2, headers: {} };
  if (checks.some((c) => c.provider === 'prometheus')) {
    const url =
      inputs.string('soak-prometheus-url', { pattern: { regex: /^https?:\/\/\S+$/, description: 'an http(s) URL' } }) ||
      inputs.string('prometheus-url');
    if (!url)
      throw new InputError('soak-prometheus-url', 'the Prometheus of the previous environment (or prometheus-url)');
    const token = inputs.string('prometheus-token');
    sources.prometheus = new PrometheusSource(url, {
      ...options,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  }
  if (checks.some((c) => c.provider === 'http')) sources.http = new HttpSource(options);
  return { checks, sources };
}

/** Reads each check once over the soak window; returns one line per check, or refuses naming the check. */
export async function runSoakChecks(
  soak: SoakChecks,
  run: { version: string; environment: string; soakMs: number },
): Promise<string[]> {
  const window = `${Math.round(run.soakMs / 1000)}s`;
  const lines: string[] = [];
  for (const check of soak.checks) {
    const source = soak.sources[check.provider] as MetricsSource;
    const query = renderQuery(
      check.query,
      { version: run.version, stable: run.version, interval: window, window },
      check.provider,
    );
    const reading = await source.read(query, check.path);
    const refuse = (why: string) =>
      new PromotionRefused(
        `Promotion refused (rule: soak checks): check '${check.name}' of ${run.version} in ${run.environment} over the last ${window}: ${why}.`,
      );
    if (reading.kind !== 'value')
      throw refuse(`${reading.kind === 'no-data' ? 'no data' : 'unreachable'} (${reading.detail})`);
    if (!Number.isFinite(reading.value)) throw refuse(`${reading.value} is not a finite number`);
    const breach = thresholdBreach(check, reading.value);
    if (breach) throw refuse(breach);
    lines.push(`check '${check.name}' over the last ${window} in ${run.environment}: ${reading.value} within bounds`);
  }
  return lines;
}
