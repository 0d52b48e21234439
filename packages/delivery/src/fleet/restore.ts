/** Putting a release back on a fleet's targets: the health wait and the restore a failed, aborted or cancelled phased release runs. */
import { ActionError, formatDuration, systemClock } from '@rollgate/kit';
import { canaryAnswers } from './health.js';
import type { Target } from './plan.js';
import type { FleetInflight, HealthPorts, RestorePorts } from './types.js';

export type { RestorePorts };

const names = (targets: Target[]) => targets.map((t) => t.name);

/** Waits until every target answers (health URL or TCP), up to the health timeout. */
export async function waitHealthy(config: HealthPorts, targets: Target[]): Promise<string | undefined> {
  const clock = config.clock ?? systemClock;
  const until = clock.now() + (config.healthTimeoutMs ?? 60_000);
  for (const t of targets) {
    const healthUrl = config.healthUrl?.replaceAll('{address}', t.address);
    for (;;) {
      const why = config.probe
        ? await config.probe(t, healthUrl)
        : await canaryAnswers({ address: t.address, ...(healthUrl ? { healthUrl } : {}) }, 5000, config.signal);
      if (!why) break;
      if (clock.now() >= until)
        return `${t.name} does not answer ${formatDuration(config.healthTimeoutMs ?? 60_000)} after its deploy: ${why}`;
      await clock.sleep(1000, config.signal);
    }
  }
  return undefined;
}

/** Puts `previous` back on the changed targets, one by one, and each back in the load balancer. */
export async function restorePrevious(state: FleetInflight, ports: RestorePorts): Promise<void> {
  const { fleet, deployer, logger } = ports;
  if (!state.previous) {
    // A first release has nothing to go back to: the changed targets stay out of the load balancer.
    await fleet.drain(state.changed);
    logger.warning(
      `No earlier release to go back to: ${names(state.changed).join(', ')} stay out of the load balancer.`,
    );
    return;
  }
  for (const t of [...state.changed].reverse()) {
    await fleet.drain([t]);
    await deployer.deploy(t, state.previous);
    const why = await waitHealthy(ports, [t]);
    if (why) throw new ActionError(`roll back to ${state.previous.version}: ${why}`);
    await fleet.ready([t]);
    logger.info(`${t.name} is back on ${state.previous.version}.`);
  }
  // Targets drained but never changed (the batch stopped before their deploy) go back in too.
  const rest = state.drained.filter((d) => !state.changed.some((c) => c.name === d.name));
  if (rest.length) await fleet.ready(rest);
}
