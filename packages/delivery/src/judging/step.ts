/**
 * Judging one step of a rollout (a canary's weight, a phased release's batch): sample every
 * check through the step, both roles for a baseline comparison (the new version against the
 * one it replaces), and return the first verdict against the new version. Every read ends by
 * the step's deadline plus one timeout, so a slow source cannot stretch a step; the job's
 * cancellation ends a read at once.
 */
import { ActionError, formatDuration, systemClock } from '@rollgate/kit';
import { renderQuery, thresholdBreach, type Judge, type Verdict } from '@rollgate/analysis';
import type { MetricsSource } from '@rollgate/metrics';
import type { Backend } from '@rollgate/traffic';
import type { Check } from '@rollgate/analysis';
import type { Clock, Logger } from '@rollgate/kit';

/** What judging a step reads of a rollout's configuration. */
export interface JudgeConfig {
  version: string;
  checks: Check[];
  sources: Partial<Record<Check['provider'], MetricsSource>>;
  samplesPerStep: number;
  /** Timeout of one metrics query; the last read of a step may end this long after the step. */
  metricsTimeoutMs?: number;
  /** How often Prometheus scrapes the services: query windows span at least four scrapes. */
  scrapeIntervalMs?: number;
  /**
   * Low traffic: a step lasts until the new version served `min` requests (read from `query`, a
   * counter of its requests, on `source`), at most `maxWaitMs`; then it is judged.
   */
  minRequests?: { min: number; query: string; source: MetricsSource; maxWaitMs: number };
  logger: Logger;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * The window a query reads (`{{window}}`, and `{{interval}}` as before): the sampling period,
 * never less than four scrape intervals. Readings are about now: a canary that died early in a
 * step shows as no data within one window, not only after a window as long as the step.
 */
export function queryWindowMs(intervalMs: number, samples: number, scrapeIntervalMs: number): number {
  // rate() needs two samples in its range; four scrapes is the usual margin against jitter.
  return Math.max(Math.floor(intervalMs / samples), 4 * scrapeIntervalMs);
}

/**
 * Samples every check until the step's time is up; returns the first verdict against the
 * canary. Every read ends by the step's deadline plus one timeout, so a slow source cannot
 * stretch a step; the job's cancellation ends a read at once.
 */
export async function analyseStep(
  config: JudgeConfig,
  rollout: { intervalMs: number } & {
    label?: string;
    /**
     * Early looks (a phased batch just put back): readings every `earlyLookMs` (a scrape
     * interval) before the first regular one, that can only fail the step: a reading of the new
     * version that breaches a threshold counts as the failure it is; anything else (a pass, no
     * data) is dropped, so early looks never add a pass or an inconclusive, and every regular
     * reading still happens.
     */
    earlyLookMs?: number;
    /** Checked at every sample before the metrics (a phased batch: every changed target still serves); its verdict ends the step. */
    watch?: () => Promise<Verdict | undefined>;
  },
  judge: Judge,
  stable: Backend,
): Promise<Verdict | undefined> {
  judge.startStep(rollout.label);
  const clock = config.clock ?? systemClock;
  const every = Math.max(250, Math.floor(rollout.intervalMs / config.samplesPerStep));
  const started = clock.now();
  const window = formatDuration(
    queryWindowMs(rollout.intervalMs, config.samplesPerStep, config.scrapeIntervalMs ?? 15_000),
  );
  const timeoutMs = config.metricsTimeoutMs ?? 10_000;
  const traffic = config.minRequests
    ? await requestCounter(config, config.minRequests, started + timeoutMs)
    : undefined;
  let ends = started + rollout.intervalMs;
  const early = rollout.earlyLookMs && rollout.earlyLookMs < every ? Math.max(250, rollout.earlyLookMs) : 0;
  for (let at = started + early; early && at < started + every; at += early) {
    await clock.sleep(Math.max(0, at - clock.now()), config.signal);
    const verdict =
      (await rollout.watch?.()) ?? (await sampleChecks(config, judge, stable, window, ends + timeoutMs, true));
    if (verdict) return verdict;
  }
  // After early looks the first regular reading keeps its time (one sampling period in).
  let firstWait: number | undefined = early ? Math.max(0, started + every - clock.now()) : undefined;
  for (;;) {
    const deadline = ends + timeoutMs;
    while (clock.now() < ends) {
      const wait = firstWait ?? every;
      firstWait = undefined;
      await clock.sleep(Math.min(wait, Math.max(0, ends - clock.now())), config.signal);
      const verdict = (await rollout.watch?.()) ?? (await sampleChecks(config, judge, stable, window, deadline));
      if (verdict) return verdict;
    }
    if (!traffic) break;
    // Low traffic: the step goes on until the canary served enough requests to judge, bounded.
    const served = await traffic.served(deadline);
    if (served !== undefined && served >= traffic.min) break;
    config.logger.info(
      `The canary served ${served ?? 'an unknown number of'} request(s) of the ${traffic.min} needed: the step goes on.`,
    );
    const limit = started + traffic.maxWaitMs;
    if (clock.now() >= limit) {
      return {
        check: 'min-requests',
        reason: `only ${served ?? 'an unknown number of'} request(s) reached the canary in ${formatDuration(clock.now() - started)} (min-requests ${traffic.min}, max-step-wait ${formatDuration(traffic.maxWaitMs)}); failing closed`,
      };
    }
    ends = Math.min(limit, clock.now() + every);
  }
  return judge.endStep();
}

/** One reading of every check (both roles for a baseline check); the first verdict against the canary. `breachesOnly`: an early look. */
async function sampleChecks(
  config: JudgeConfig,
  judge: Judge,
  stable: Backend,
  window: string,
  deadline: number,
  breachesOnly = false,
): Promise<Verdict | undefined> {
  for (const check of config.checks) {
    const source = config.sources[check.provider];
    if (!source) throw new ActionError(`metrics: no ${check.provider} source configured for check '${check.name}'`);
    // An early look reads the new version's thresholds only, and counts only a breach.
    if (breachesOnly && (check.compare === 'baseline' || (check.max === undefined && check.min === undefined)))
      continue;
    const vars = { stable: stable.version, interval: window, window };
    const roles: ('canary' | 'stable')[] = check.compare === 'baseline' ? ['canary', 'stable'] : ['canary'];
    for (const role of roles) {
      const query = renderQuery(
        check.query,
        { ...vars, version: role === 'canary' ? config.version : stable.version },
        check.provider,
      );
      const reading = await read(config, source, query, check.path, deadline);
      if (breachesOnly && !(reading.kind === 'value' && thresholdBreach(check, reading.value))) continue;
      const verdict = judge.measure(check, role, reading);
      if (verdict) return verdict;
    }
  }
  return undefined;
}

function read(config: JudgeConfig, source: MetricsSource, query: string, path: string | undefined, deadline: number) {
  return source.read(query, path, { deadline, ...(config.signal ? { signal: config.signal } : {}) });
}

/** The canary's request counter at the move, and how many requests it served since. */
async function requestCounter(config: JudgeConfig, spec: NonNullable<JudgeConfig['minRequests']>, deadline: number) {
  const query = renderQuery(
    spec.query,
    { version: config.version, stable: '', interval: '', window: '' },
    'prometheus',
  );
  const count = async (by: number) => {
    const r = await read(config, spec.source, query, undefined, by);
    return r.kind === 'value' ? r.value : undefined;
  };
  const at = await count(deadline);
  return {
    min: spec.min,
    maxWaitMs: spec.maxWaitMs,
    async served(by: number): Promise<number | undefined> {
      const now = await count(by);
      if (now === undefined) return undefined;
      // A counter that went down was reset (the canary restarted): all of it is new.
      return at === undefined || now < at ? now : now - at;
    },
  };
}
