/**
 * A canary's dry run: reads the records and every check once and says what a real run would do,
 * changing nothing (no deployment, no status, no traffic, no deploy). Fails where the real run
 * would fail before moving traffic: another canary still open, no paused canary to promote, a
 * metrics source that cannot be reached.
 */
import { ActionError, formatDuration } from '@rollgate/kit';
import { renderQuery } from '@rollgate/analysis';
import type { Backend } from '@rollgate/traffic';
import type { CanaryConfig, CanaryResult } from './types.js';
import { currentStable, findOpen, plan, weightOf } from './state.js';
import { refuseUntrustedFirstRelease, openOfThisVersion } from '../records/state.js';
import { queryWindowMs } from '../judging/step.js';
import { placeCanary } from './start.js';

const at = (b: Backend) => `${b.version}${b.address ? ` (${b.address})` : ''}`;

async function readChecks(config: CanaryConfig, stable: Backend, interval: string): Promise<void> {
  for (const check of config.checks) {
    const source = config.sources[check.provider];
    if (!source) throw new ActionError(`metrics: no ${check.provider} source configured for check '${check.name}'`);
    for (const version of check.compare === 'baseline' ? [config.version, stable.version] : [config.version]) {
      const reading = await source.read(
        renderQuery(check.query, { version, stable: stable.version, interval }, check.provider),
        check.path,
      );
      if (reading.kind === 'unreachable')
        throw new ActionError(
          `Dry run: check '${check.name}' cannot reach its metrics source (${reading.detail}); a real run would abort.`,
        );
      config.logger.info(
        `  ${check.name} for ${version} now: ${reading.kind === 'value' ? reading.value : `no data (${reading.detail})`}`,
      );
    }
  }
}

export async function dryRunCanary(config: CanaryConfig): Promise<CanaryResult> {
  const startedAt = Date.now();
  const log = (line: string) => config.logger.info(line);
  const done = (r: Omit<CanaryResult, 'outcome' | 'steps' | 'startedAt' | 'endedAt'>): CanaryResult => ({
    ...r,
    outcome: 'dry-run',
    steps: [],
    startedAt,
    endedAt: Date.now(),
  });
  if (config.mode === 'promote' || config.mode === 'abort') {
    const found = await findOpen(config);
    const rollout = plan(config, found.open.payload.rollout);
    if (config.mode === 'abort') {
      log(
        `Dry run: would put all traffic back on ${at(found.stable)} and mark deployment ${found.open.id} failure; the canary of ${at(found.canary)} is at ${found.weight}%.`,
      );
    } else {
      const remaining = rollout.steps.filter((w) => w > found.weight);
      log(
        `Dry run: would take the canary of ${at(found.canary)} from ${found.weight}% through ${remaining.join('%, ')}%, judging ${config.checks.length} check(s) for ${rollout.intervalText} per step, against ${at(found.stable)}.`,
      );
      await readChecks(
        config,
        found.stable,
        formatDuration(queryWindowMs(rollout.intervalMs, config.samplesPerStep, config.scrapeIntervalMs ?? 15_000)),
      );
    }
    return done({ deploymentId: found.open.id, weight: found.weight, stable: found.stable });
  }
  const state = await config.records.state();
  const reruns = openOfThisVersion(config, state);
  for (const r of reruns)
    log(
      `Dry run: would close the open canary of ${config.version} at ${weightOf(r)}% (deployment ${r.id}) and restart.`,
    );
  const stable = currentStable(config, state);
  refuseUntrustedFirstRelease(stable, state);
  const placed = placeCanary(config, state, stable);
  const canary: Backend = { ...config.canary, ...(placed.address ? { address: placed.address } : {}) };
  if (placed.slot) log(`Dry run: the canary would go into slot ${placed.slot} (${placed.address}).`);
  const rollout = plan(config);
  if (!stable) {
    log(
      `Dry run: no stable release in ${config.records.environment} yet; would put ${at(canary)} at 100% without a comparison${config.deploy ? ', after deploying it' : ''}.`,
    );
    return done({ deploymentId: 0, weight: 0, stable: { version: 'none' } });
  }
  const pause = config.mode === 'start' ? `, pausing after ${rollout.steps[0]}% for the manual gate` : '';
  log(
    `Dry run: would ${config.deploy ? 'deploy and ' : ''}step ${at(canary)} through ${rollout.steps.join('%, ')}% against ${at(stable)}, judging ${config.checks.length} check(s) for ${rollout.intervalText} per step${pause}.`,
  );
  await readChecks(
    config,
    stable,
    formatDuration(queryWindowMs(rollout.intervalMs, config.samplesPerStep, config.scrapeIntervalMs ?? 15_000)),
  );
  return done({ deploymentId: 0, weight: 0, stable });
}
