/**
 * The inputs that say how a rollout is judged, shared by the canary and the phased release:
 * the checks (metrics), their sources (Prometheus, http), samples per step, significance,
 * limits, timeouts. Read and checked once, before anything changes; every error names its input.
 */
import { ActionError, InputError, urlSecrets, type Inputs } from '@rollgate/kit';
import { parseChecks, samplesNeeded, smallestP, type Check } from '@rollgate/analysis';
import { HttpSource, PrometheusSource, type MetricsSource } from '@rollgate/metrics';

export function readJudgeInputs(inputs: Inputs, options: { checks: boolean; subject: string }) {
  let checks: Check[];
  try {
    checks = options.checks ? parseChecks(inputs.string('metrics', { required: true })) : [];
  } catch (error) {
    if (error instanceof ActionError) throw error;
    throw new InputError('metrics', (error as Error).message);
  }
  const timeoutMs = inputs.duration('metrics-timeout');
  if (timeoutMs < 100 || timeoutMs > 300_000)
    throw new InputError('metrics-timeout', 'a duration from 100ms to 5m', inputs.string('metrics-timeout'));
  for (const c of checks) {
    if (c.provider === 'http' && !/^https?:\/\/[^\s/]+/.test(c.query))
      throw new InputError('metrics', `check '${c.name}': an http(s) URL as the query of an http check`, c.query);
  }
  const sources: Partial<Record<Check['provider'], MetricsSource>> = {};
  if (checks.some((c) => c.provider === 'prometheus')) {
    const url = inputs.string('prometheus-url', {
      required: true,
      pattern: { regex: /^https?:\/\/\S+$/, description: 'an http(s) URL such as http://prometheus:9090' },
    });
    const token = inputs.string('prometheus-token');
    const user = inputs.string('prometheus-username');
    const headers: Record<string, string> = token
      ? { authorization: `Bearer ${token}` }
      : user
        ? {
            authorization: `Basic ${Buffer.from(`${user}:${inputs.string('prometheus-password')}`).toString('base64')}`,
          }
        : {};
    sources.prometheus = new PrometheusSource(url, { timeoutMs, retries: 2, headers });
  }
  if (checks.some((c) => c.provider === 'http')) sources.http = new HttpSource({ timeoutMs, retries: 2, headers: {} });
  const samplesPerStep = inputs.integer('samples', { min: 1, max: 60 });
  const scrapeIntervalMs = inputs.duration('scrape-interval');
  if (scrapeIntervalMs < 100 || scrapeIntervalMs > 600_000)
    throw new InputError('scrape-interval', 'a duration from 100ms to 10m', inputs.string('scrape-interval'));
  // A baseline comparison alone passes a canary exactly as bad as stable (both at 20% errors):
  // say so, and let the user add the absolute bound.
  const warnings = checks
    .filter((c) => c.compare === 'baseline' && c.max === undefined && c.min === undefined)
    .map(
      (c) =>
        `Check '${c.name}' only compares ${options.subject} with the version it replaces: a new version as bad as the old one (stable already failing) passes it. Add an absolute bound (max: or min:) in a second check to catch that.`,
    );
  const alpha = inputs.number('significance', { min: 0.0001, max: 0.5 });
  const needed = samplesNeeded(alpha);
  const baseline = checks.find((c) => c.compare === 'baseline');
  if (baseline && samplesPerStep < needed) {
    throw new InputError(
      'samples',
      `at least ${needed} with the baseline check '${baseline.name}' at significance ${alpha}: with ${samplesPerStep} readings a side the smallest p-value Mann-Whitney can give is ${smallestP(samplesPerStep, samplesPerStep).toPrecision(2)}, so that check could never fail`,
      String(samplesPerStep),
    );
  }
  return {
    checks,
    sources,
    samplesPerStep,
    scrapeIntervalMs,
    metricsTimeoutMs: timeoutMs,
    alpha,
    failureLimit: inputs.integer('failure-limit', { min: 0 }),
    inconclusiveLimit: inputs.integer('inconclusive-limit', { min: 0 }),
    warnings,
    /** Every secret of the metrics sources, those inside URLs too. */
    secrets: [
      inputs.string('prometheus-token'),
      inputs.string('prometheus-password'),
      ...urlSecrets(inputs.string('prometheus-url')),
      ...checks.flatMap((c) => (c.provider === 'http' ? urlSecrets(c.query) : [])),
    ].filter(Boolean),
  };
}
