/** Inputs of the canary action, read and checked once for the main and the post step. */
import { ActionError, InputError, Inputs, VALUE_RULES, splitArgs, urlSecrets } from '@rollgate/kit';
import { parseChecks, samplesNeeded, smallestP, type Check } from '@rollgate/analysis';
import { trafficFromInputs } from '@rollgate/traffic';
import { HttpSource, PrometheusSource, type MetricsSource } from '@rollgate/metrics';
import { waitTimeoutFrom, type Mode } from '@rollgate/delivery';
import { trustedBranchesFrom } from '@rollgate/github';

export function readCanaryInputs(inputs: Inputs) {
  const mode = inputs.oneOf<Mode>('mode', ['run', 'start', 'promote', 'abort']);
  // Empty: the defaults for a new canary, or what the paused canary recorded (promote).
  const intervalMs = inputs.string('interval') ? inputs.duration('interval') : undefined;
  // setTimeout holds at most 2^31-1 ms; a step shorter than a second cannot sample anything.
  if (intervalMs !== undefined && (intervalMs < 1000 || intervalMs > 86_400_000))
    throw new InputError('interval', 'a duration from 1s to 24h', inputs.string('interval'));
  const steps = inputs.string('steps') ? inputs.percentages('steps') : undefined;
  const skipAnalysis = inputs.boolean('skip-analysis');
  if (steps && steps.every((w) => w === 100) && !skipAnalysis && (mode === 'run' || mode === 'start')) {
    throw new InputError(
      'steps',
      'at least one step below 100 (steps: 100 promotes with no metric read at all); set skip-analysis: true to deploy without judging',
      inputs.string('steps'),
    );
  }
  let checks: Check[];
  try {
    checks = mode === 'abort' ? [] : parseChecks(inputs.string('metrics', { required: true }));
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
        `Check '${c.name}' only compares the canary with stable: a canary as bad as stable (stable already failing) passes it. Add an absolute bound (max: or min:) in a second check to catch that.`,
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
  const canaryAddress = inputs.string('canary-address', { pattern: VALUE_RULES.address });
  const stableAddress = inputs.string('stable-address', { pattern: VALUE_RULES.address });
  const stableVersion = inputs.string('stable-version', { pattern: VALUE_RULES.version });
  return {
    version: inputs.string('version', { required: true, pattern: VALUE_RULES.version }),
    environment: inputs.string('environment', { required: true }),
    trustedBranches: trustedBranchesFrom(inputs),
    waitTimeoutMs: waitTimeoutFrom(inputs),
    mode,
    dryRun: inputs.boolean('dry-run'),
    ...(steps ? { steps } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    samplesPerStep,
    alpha,
    metricsTimeoutMs: timeoutMs,
    ...minRequestsFrom(inputs, sources, intervalMs),
    ...(inputs.string('canary-health-url')
      ? {
          healthUrl: inputs.string('canary-health-url', {
            pattern: { regex: /^https?:\/\/[^\s/]+\S*$/, description: 'an http(s) URL' },
          }),
        }
      : {}),
    scrapeIntervalMs,
    warnings,
    failureLimit: inputs.integer('failure-limit', { min: 0 }),
    inconclusiveLimit: inputs.integer('inconclusive-limit', { min: 0 }),
    checks,
    sources,
    traffic: trafficFromInputs(inputs),
    canary: { version: '', ...(canaryAddress ? { address: canaryAddress } : {}) },
    stable: {
      ...(stableVersion ? { version: stableVersion } : {}),
      ...(stableAddress ? { address: stableAddress } : {}),
    },
    artifact: {
      name: inputs.string('artifact-name', { pattern: VALUE_RULES.name }),
      digest: inputs.string('artifact-digest', {
        pattern: { regex: /^$|^sha256:[0-9a-f]{64}$/, description: 'sha256:<64 hex digits>' },
      }),
      id: inputs.string('artifact-id'),
      runId: inputs.string('artifact-run-id'),
      releaseTag: inputs.string('release-tag'),
    },
    deployCommand: splitArgs(inputs.string('deploy-command')),
    skipAnalysis,
    token: inputs.string('github-token', { required: true }),
    // Every secret is registered with the runner before first use, those inside URLs too.
    secrets: [
      inputs.string('prometheus-token'),
      inputs.string('prometheus-password'),
      inputs.string('traffic-token'),
      ...urlSecrets(inputs.string('prometheus-url')),
      ...checks.flatMap((c) => (c.provider === 'http' ? urlSecrets(c.query) : [])),
    ].filter(Boolean),
  };
}

/** Low traffic: min-requests with the counter query that measures them, and the longest a step may wait. */
function minRequestsFrom(
  inputs: Inputs,
  sources: Partial<Record<Check['provider'], MetricsSource>>,
  intervalMs: number | undefined,
) {
  const min = inputs.integer('min-requests', { min: 0, max: 1_000_000_000 });
  if (min === 0) return {};
  const query = inputs.string('requests-query', { required: true });
  const source = sources.prometheus;
  if (!source)
    throw new InputError(
      'requests-query',
      "a Prometheus source (prometheus-url and at least one prometheus check) to count the canary's requests",
    );
  const maxWaitMs = inputs.string('max-step-wait') ? inputs.duration('max-step-wait') : 3 * (intervalMs ?? 60_000);
  if (maxWaitMs < 1000 || maxWaitMs > 86_400_000)
    throw new InputError('max-step-wait', 'a duration from 1s to 24h', inputs.string('max-step-wait'));
  return { minRequests: { min, query, source, maxWaitMs } };
}
