/**
 * Opening a canary's record: wait for a rollback deploying now (rollbacks run in another
 * concurrency group, see quiet.ts), close this run's abandoned attempt, decide the stable,
 * create the record, then settle the start races. Two writers that both read "quiet" and then
 * act would move traffic at once; of the records open together the lowest deployment id wins:
 * - another canary that got there first: this run withdraws, with an error (one release at a time);
 * - a rollback that got there first: this run withdraws its record, waits for the rollback to
 *   finish and starts again, against what the rollback restored (a rollback is never dropped,
 *   and the canary still runs). The rollback does the same against a canary (rollback.ts).
 */
import { ActionError, type Clock } from '@rollgate/kit';
import type { ReleaseRecords } from '@rollgate/github';
import type { Backend } from '@rollgate/traffic';
import type { CanaryConfig } from './types.js';
import { currentStable, weightOf, type Plan } from './state.js';
import { openOfThisVersion, raceWinner, refuseUntrustedFirstRelease } from '../records/state.js';
import { runningRollback, waitForQuiet } from '../records/quiet.js';
import { describeStatus } from '../records/status-codec.js';
import { earlierRollback } from '../records/races.js';

type Status = (id: number, state: Parameters<ReleaseRecords['status']>[1], text: string) => Promise<void>;

export async function openCanaryRecord(
  config: CanaryConfig,
  canary: Backend,
  rollout: Plan,
  status: Status,
  clock: Clock,
): Promise<{ deploymentId: number; stable: Backend; current: Backend | undefined }> {
  const { records } = config;
  const log = (line: string) => config.logger.info(line);
  const closed: number[] = [];
  for (;;) {
    const history = await waitForQuiet(records, runningRollback, {
      timeoutMs: config.waitTimeoutMs ?? 0,
      purpose: `canary of ${config.version}`,
      logger: config.logger,
      clock,
      ...(config.signal ? { signal: config.signal } : {}),
    });
    for (const r of openOfThisVersion(config, history).filter((x) => !closed.includes(x.id))) {
      await status(r.id, 'error', describeStatus({ kind: 'abandoned', weight: weightOf(r), version: config.version }));
      closed.push(r.id);
      log(
        `A previous run left the canary of ${config.version} open at ${weightOf(r)}% (deployment ${r.id}): closed it, restarting from the first step.`,
      );
    }
    const current = currentStable(config, history);
    refuseUntrustedFirstRelease(current, records);
    const stable = current ?? { version: 'none' };
    const deploymentId = await records.create(
      config.ref,
      {
        ...config.payload,
        version: config.version,
        stable: stable.version,
        kind: 'canary',
        ...(canary.address ? { address: canary.address } : {}),
        ...(stable.address ? { stable_address: stable.address } : {}),
        rollout: { steps: rollout.steps, interval_ms: rollout.intervalMs },
        ...(config.run ? { run: config.run } : {}),
      },
      `canary of ${config.version}`,
    );
    const now = await records.history();
    const winner = raceWinner(deploymentId, now, closed);
    if (winner) {
      await status(
        deploymentId,
        'error',
        describeStatus({ kind: 'lost-race', winner: winner.id, version: winner.payload.version }),
      );
      throw new ActionError(
        `Another canary (${winner.payload.version}, deployment ${winner.id}) started in ${records.environment} at the same time and got there first: this run withdrew before touching traffic.`,
      );
    }
    const rollback = earlierRollback(deploymentId, now);
    if (!rollback) return { deploymentId, stable, current };
    closed.push(deploymentId);
    await status(
      deploymentId,
      'error',
      describeStatus({ kind: 'lost-race', winner: rollback.id, version: rollback.payload.version }),
    );
    log(
      `A rollback to ${rollback.payload.version} (deployment ${rollback.id}) started at the same time and got there first: this canary withdrew its record ${deploymentId} before touching traffic, waits for the rollback, and starts again.`,
    );
  }
}
