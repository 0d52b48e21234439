/**
 * Putting a release on targets, from facts: each target not proven to run it (it reports
 * another version, none, or does not answer) is taken out of the load balancer, deployed from
 * the release's original artifact, waited for until it answers and reports that version, and put
 * back; a target already on it is only put back in rotation if it was out. The one operation a
 * failed batch's roll back, an abort, the post step, a fleet rollback and a reconcile share, so
 * each ends with the fleet as it should be, whatever state it started from.
 */
import { ActionError, formatDuration, systemClock } from '@rollgate/kit';
import { probeTarget, readFleet } from './facts.js';
import type { Target } from './plan.js';
import type { FleetInflight, HealthPorts, Release, RestorePorts } from './types.js';

export type { RestorePorts };

const names = (targets: Target[]) => targets.map((t) => t.name);

/**
 * Waits until every target answers (and reports `version`, when it reports one), up to the
 * health timeout: undefined, or why not.
 */
export async function waitHealthy(
  config: HealthPorts,
  targets: Target[],
  version?: string,
): Promise<string | undefined> {
  const clock = config.clock ?? systemClock;
  const limit = config.healthTimeoutMs ?? 60_000;
  const until = clock.now() + limit;
  for (const t of targets) {
    for (;;) {
      const answer = await probeTarget(t, config);
      const why =
        answer.why ??
        (version && answer.version && answer.version !== version
          ? `it reports ${answer.version}, not ${version}`
          : undefined);
      if (!why) break;
      if (clock.now() >= until) return `${t.name} does not answer ${formatDuration(limit)} after its deploy: ${why}`;
      await clock.sleep(1000, config.signal);
    }
  }
  return undefined;
}

/** Runs `work` on each item, at most `parallel` at once; the first failure is thrown once all started ones ended. */
export async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
  if (failure !== undefined) throw failure;
}

export interface Converged {
  /** Targets deployed here. */
  deployed: Target[];
  /** Targets already on the release, put back in rotation. */
  readied: Target[];
  /** Targets already on the release and in rotation. */
  kept: Target[];
}

/**
 * Puts `release` on every target of `targets` not proven to run it, in rotation (the order
 * given: the last changed first). Without a release to go back to (a first release), targets
 * that report `newVersion`, and those in `taken` (what this run changed), leave the load balancer.
 */
export async function converge(
  targets: Target[],
  release: Release | undefined,
  ports: RestorePorts,
  options: { newVersion?: string; taken?: Target[] } = {},
): Promise<Converged> {
  const out: Converged = { deployed: [], readied: [], kept: [] };
  const facts = new Map((await readFleet(targets, ports)).map((f) => [f.target.name, f]));
  if (!release) {
    const out2 = targets.filter(
      (t) => facts.get(t.name)?.version === options.newVersion || options.taken?.some((x) => x.name === t.name),
    );
    await ports.fleet.drain(out2);
    ports.logger.warning(
      `No earlier release to go back to: ${names(out2).join(', ') || 'no target'} left the load balancer.`,
    );
    return out;
  }
  await inParallel(targets, ports.maxParallel ?? 1, async (t) => {
    const fact = facts.get(t.name);
    if (fact && fact.version === release.version && !fact.why) {
      if (fact.inRotation) out.kept.push(t);
      else {
        await ports.fleet.ready([t]);
        out.readied.push(t);
        ports.logger.info(`${t.name} runs ${release.version} already: back in rotation.`);
      }
      return;
    }
    await ports.fleet.drain([t]);
    await ports.deployer.deploy(t, release);
    const why = await waitHealthy(ports, [t], release.version);
    if (why) throw new ActionError(`putting ${release.version} back: ${why}`);
    await ports.fleet.ready([t]);
    out.deployed.push(t);
    ports.logger.info(`${t.name} is back on ${release.version}.`);
  });
  return out;
}

/** What a fleet rollout left mid-way goes back to: its changed (or drained) targets on the previous release. */
export async function restorePrevious(state: FleetInflight, ports: RestorePorts): Promise<Converged> {
  const touched = [...state.changed, ...state.drained.filter((d) => !state.changed.some((c) => c.name === d.name))];
  return converge([...touched].reverse(), state.previous, ports, { newVersion: state.version, taken: state.changed });
}
