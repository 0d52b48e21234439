/**
 * The canary rollout: for each step, move the weight, sample every check through the step,
 * judge; stop at the first verdict against the canary and put all traffic back on stable.
 * Every step is a deployment status, so the Deployments page shows the rollout and a later
 * run (promote, abort, rollback) reads where it stands. The steps are CanaryRun's (rollout.ts).
 */
import { dryRunCanary } from './dry-run.js';
import { CanaryRun } from './rollout.js';

export type { CanaryConfig, CanaryResult, InflightState, Mode, StepRecord } from './types.js';
import type { CanaryConfig, CanaryResult } from './types.js';

export { Cancelled } from '@rollgate/kit';

export async function runCanary(config: CanaryConfig): Promise<CanaryResult> {
  if (config.dryRun) return dryRunCanary(config);
  return new CanaryRun(config).run();
}
