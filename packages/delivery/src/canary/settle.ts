/**
 * Undoing a rollout its main step left mid-way (the job cancelled, the process lost, an
 * error): all traffic back on stable, and the record settled either way, never left
 * in_progress. The canary's post step runs it; it needs only the traffic provider and the
 * records (no analysis, no artifact client), so the post step stays small and fast.
 */
import { errorLine, type Logger } from '@rollgate/kit';
import type { ReleaseRecords } from '@rollgate/github';
import type { TrafficProvider } from '@rollgate/traffic';
import type { InflightState } from './types.js';
import { describeStatus } from '../records/status-codec.js';
import { confirmSplit } from '../slots/read-back.js';

export interface Settled {
  restored: boolean;
  /** Why the traffic could not be restored. */
  why?: string;
}

export async function settleInflight(
  state: InflightState,
  ports: {
    traffic: () => TrafficProvider;
    records?: ReleaseRecords;
    logger: Logger;
  },
): Promise<Settled> {
  let settled: Settled;
  try {
    const traffic = ports.traffic();
    const split = { stable: state.stable, canary: state.canary, canaryWeight: 0 };
    await traffic.setSplit(split);
    const routed = await confirmSplit(traffic, split);
    settled = { restored: true };
    ports.logger.warning(
      `The canary of ${state.canary.version} was left at ${state.weight}%: all traffic is back on ${routed}.`,
    );
  } catch (error) {
    settled = { restored: false, why: errorLine(error) };
    ports.logger.error(
      `TRAFFIC NOT RESTORED: the canary of ${state.canary.version} may still get ${state.weight}% of requests; put it back on ${state.stable.version} by hand (${settled.why}).`,
    );
  }
  if (ports.records) {
    if (settled.restored)
      await ports.records.status(
        state.deploymentId,
        'failure',
        describeStatus({ kind: 'cancelled', weight: state.weight, stable: state.stable.version }),
      );
    else
      await ports.records.status(
        state.deploymentId,
        'error',
        describeStatus({ kind: 'left', weight: state.weight, why: settled.why ?? '' }),
      );
  }
  return settled;
}
