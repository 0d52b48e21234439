/**
 * The phased release: the new version goes onto the targets of a fleet batch by batch (in
 * place, as CodeDeploy's in-place deployments and Kubernetes' rolling updates do). Each batch:
 * the load balancer's state re-asserted (an HAProxy that restarted lost its drains), its
 * targets taken out (drain), deployed (in parallel up to max-parallel, each bounded by the
 * deploy timeout), waited for until each answers (and reports the new version), put back, then
 * judged for the interval: the metrics, and every target changed so far, which must keep
 * answering and stay in rotation. A failure stops the release: every changed target gets the
 * previous release again from its original artifact (fleet/converge.ts). Every end reads the
 * fleet back (fleet/facts.ts) and records what each target runs and whether it serves; a run
 * that cannot make the fleet consistent names the wrong targets and ends as an error.
 */
import { ActionError } from '@rollgate/kit';
import { abortPhased, findOpenPhased, reconcileFleet, requirePaused } from './gate.js';
import { openPhasedRecord } from './start.js';
import type { PhasedConfig, PhasedResult } from './types.js';
import { describeStatus } from '../records/status-codec.js';
import { Rollout } from './rollout.js';

export type {
  BatchRecord,
  Deployer,
  PhasedConfig,
  PhasedInflight,
  PhasedMode,
  PhasedResult,
  Release,
} from './types.js';
export { restorePrevious, waitHealthy, converge, type RestorePorts } from '../fleet/converge.js';
export type { Course } from './rollout.js';

/**
 * A phased release: mode run opens a record and goes from the first batch; continue goes on
 * from where the release paused at its gate; abort puts the previous release back; reconcile
 * brings the fleet back to the live release from any state (gate.ts).
 */
export async function runPhased(config: PhasedConfig): Promise<PhasedResult> {
  const mode = config.mode ?? 'run';
  if (mode === 'run') {
    const batches = config.batches;
    if (!batches?.length || config.intervalMs === undefined)
      throw new ActionError('A phased release needs its batches and interval.');
    const opened = await openPhasedRecord({ ...config, batches, intervalMs: config.intervalMs }, batches.flat());
    return new Rollout(config, {
      ...opened,
      batches,
      intervalMs: config.intervalMs,
      pause: config.pause ?? 'auto',
      done: 0,
      ...(config.artifact ? { artifact: config.artifact } : {}),
    }).run();
  }
  if (mode === 'reconcile') return reconcileFleet(config);
  const found = await findOpenPhased(config);
  if (mode === 'abort') return abortPhased(config, found);
  requirePaused(found, config.records);
  await config.fleet.check(found.batches.flat());
  const { done, batches } = found;
  await config.records.status(
    found.record.id,
    'in_progress',
    describeStatus({ kind: 'phased-continuing', index: done, count: batches.length, version: config.version }),
  );
  config.logger.info(
    `Continuing the phased release of ${config.version} (deployment ${found.record.id}) after batch ${done}/${batches.length}.`,
  );
  return new Rollout(config, { ...found, deploymentId: found.record.id }).run();
}
