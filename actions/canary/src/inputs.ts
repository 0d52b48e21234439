/** Inputs of the canary action, read and checked once for the main and the post step. */
import { InputError, Inputs, VALUE_RULES, splitArgs } from '@rollgate/kit';
import type { Check } from '@rollgate/analysis';
import { trafficFromInputs } from '@rollgate/traffic';
import type { MetricsSource } from '@rollgate/metrics';
import { parseSlots, readChainInputs, readJudgeInputs, waitTimeoutFrom, type Mode } from '@rollgate/delivery';
import { trustedBranchesFrom, trustedWorkflowsFrom } from '@rollgate/github';

export function readCanaryInputs(inputs: Inputs) {
  // check: the settings and the programs only, before a release exists (pipeline.yml's first job).
  const chosen = inputs.oneOf<Mode | 'check'>('mode', ['run', 'start', 'promote', 'abort', 'check']);
  const checking = chosen === 'check';
  const mode: Mode = checking ? 'run' : chosen;
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
  const judging = readJudgeInputs(inputs, { checks: mode !== 'abort', subject: 'the canary' });
  const { checks, sources, samplesPerStep, alpha, scrapeIntervalMs, warnings } = judging;
  const timeoutMs = judging.metricsTimeoutMs;
  const canaryAddress = inputs.string('canary-address', { pattern: VALUE_RULES.address });
  const slots = parseSlots(inputs.string('slots'));
  if (slots.length && canaryAddress)
    throw new InputError('canary-address', 'to be empty with slots (the suite picks the free slot)', canaryAddress);
  const stableAddress = inputs.string('stable-address', { pattern: VALUE_RULES.address });
  const stableVersion = inputs.string('stable-version', { pattern: VALUE_RULES.version });
  const version = inputs.string('version', { required: !checking, pattern: VALUE_RULES.version });
  const environment = inputs.string('environment', { required: true });
  // A chain's entry is admitted when a rollout starts; promote and abort continue what was admitted.
  const chain = mode === 'run' || mode === 'start' ? readChainInputs(inputs, environment, version) : undefined;
  return {
    checking,
    version,
    environment,
    ...(chain ? { chain } : {}),
    trustedBranches: trustedBranchesFrom(inputs),
    trustedWorkflows: trustedWorkflowsFrom(inputs),
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
    failureLimit: judging.failureLimit,
    inconclusiveLimit: judging.inconclusiveLimit,
    checks,
    sources,
    traffic: trafficFromInputs(inputs),
    canary: { version: '', ...(canaryAddress ? { address: canaryAddress } : {}) },
    slots,
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
    secrets: [...judging.secrets, inputs.string('traffic-token')].filter(Boolean),
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
