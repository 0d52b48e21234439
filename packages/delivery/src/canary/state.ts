/** Where a canary stands, read from the deployment records: the stable, open canaries, the plan. */
import { isRollout, liveRecord } from '../records/state.js';
import { ActionError, formatDuration } from '@rollgate/kit';
import type { Backend } from '@rollgate/traffic';
import type { DeploymentRecord, EnvironmentState, ReleasePayload } from '@rollgate/github';
import type { CanaryConfig } from './types.js';
import { readStatus } from '../records/status-codec.js';

export const DEFAULT_STEPS = [5, 25, 50, 100];
export const DEFAULT_INTERVAL_MS = 60_000;

export interface Plan {
  steps: number[];
  intervalMs: number;
  intervalText: string;
}

export function plan(config: CanaryConfig, recorded?: ReleasePayload['rollout']): Plan {
  const intervalMs = config.intervalMs ?? recorded?.interval_ms ?? DEFAULT_INTERVAL_MS;
  return {
    steps: config.steps ?? recorded?.steps ?? DEFAULT_STEPS,
    intervalMs,
    intervalText: formatDuration(intervalMs),
  };
}

/** The version serving now: the newest deployment in the environment whose latest state is success. */
export function currentStable(config: CanaryConfig, state: EnvironmentState): Backend | undefined {
  if (config.stable.version)
    return { version: config.stable.version, ...(config.stable.address ? { address: config.stable.address } : {}) };
  const live = liveRecord(state.records, config.version);
  if (!live) return undefined;
  const address = config.stable.address ?? live.payload.address;
  return { version: live.payload.version, ...(address ? { address } : {}) };
}

/** The paused canary of this version; addresses given as inputs win over the recorded ones. */
export async function findOpen(config: CanaryConfig) {
  const state = await config.records.state();
  const open = state.open.find((r) => r.payload.version === config.version && isRollout(r));
  if (!open)
    throw new ActionError(
      `No canary of ${config.version} is in progress in ${config.records.environment}: start one with mode: start.`,
    );
  if (open.payload.kind === 'phased')
    throw new ActionError(
      `The rollout of ${config.version} in ${config.records.environment} (deployment ${open.id}) is a phased release, not a canary: run promote.yml with kind: phased.`,
    );
  const weight = weightOf(open);
  const stableAddress = config.stable.address ?? open.payload.stable_address;
  const canaryAddress = config.canary.address ?? open.payload.address;
  const stable: Backend = {
    version: open.payload.stable ?? config.stable.version ?? '',
    ...(stableAddress ? { address: stableAddress } : {}),
  };
  const canary: Backend = { version: config.version, ...(canaryAddress ? { address: canaryAddress } : {}) };
  return { open, weight, stable, canary };
}

/** The weight a canary record stands at, read by the status codec. */
export const weightOf = (r: DeploymentRecord): number => readStatus(r.description).weight;
