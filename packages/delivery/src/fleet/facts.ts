/**
 * What a fleet really is, read back from the world and never from a record's text: for each
 * target, whether every load balancer instance has it in rotation (HAProxy's `show servers
 * state`), whether it answers its health check, and the version it reports. Every end of a fleet
 * rollout writes what this says, and a run that cannot make it consistent names the targets
 * that are wrong.
 */
import type { PoolState } from '@rollgate/traffic';
import { probe, type Probe } from './health.js';
import type { Target } from './plan.js';
import type { RestorePorts } from './types.js';

export interface TargetFact {
  target: Target;
  /** In rotation on every load balancer instance (ready, running, at its address). */
  inRotation: boolean;
  /** Drained on every instance. */
  drainedEverywhere: boolean;
  /** What the load balancer holds, in a few words. */
  balancer: string;
  /** Why its health check fails, or undefined when it answers. */
  why?: string;
  /** The version it reports, when it reports one. */
  version?: string;
}

/** One target's health check (the health URL with its address, else a TCP connection). */
export function probeTarget(t: Target, ports: Pick<RestorePorts, 'healthUrl' | 'probe' | 'signal'>): Promise<Probe> {
  const healthUrl = ports.healthUrl?.replaceAll('{address}', t.address);
  return ports.probe
    ? ports.probe(t, healthUrl)
    : probe({ address: t.address, ...(healthUrl ? { healthUrl } : {}) }, 5000, ports.signal);
}

/** The facts of `targets` now: the load balancer's view and each target's own answer. */
export async function readFleet(targets: Target[], ports: RestorePorts): Promise<TargetFact[]> {
  const pool = new Map<string, PoolState>((await ports.fleet.inspect(targets)).map((p) => [p.name, p]));
  return Promise.all(
    targets.map(async (t) => {
      const held = pool.get(t.name);
      const answer = await probeTarget(t, ports);
      return {
        target: t,
        inRotation: held?.inRotation ?? false,
        drainedEverywhere: held?.drainedEverywhere ?? false,
        balancer: held?.detail ?? 'unknown to the load balancer',
        ...(answer.why ? { why: answer.why } : {}),
        ...(answer.version ? { version: answer.version } : {}),
      };
    }),
  );
}

export interface FleetTruth {
  /** Every target in rotation, healthy, and none reporting another version than the one expected. */
  consistent: boolean;
  /** Targets that are not as they should be, each with why. */
  wrong: { name: string; why: string }[];
  /** Targets that do not report their version (what they run is not verified). */
  unreported: string[];
  facts: TargetFact[];
}

/**
 * Whether the fleet serves `version` (or, `version` undefined, serves at all): every target in
 * rotation, answering, and reporting that version when it reports one.
 */
export async function fleetTruth(
  targets: Target[],
  version: string | undefined,
  ports: RestorePorts,
): Promise<FleetTruth> {
  const facts = await readFleet(targets, ports);
  const wrong: FleetTruth['wrong'] = [];
  for (const f of facts) {
    const problems = [
      ...(f.inRotation ? [] : [f.balancer]),
      ...(f.why ? [`health: ${f.why}`] : []),
      ...(version && f.version && f.version !== version ? [`runs ${f.version}`] : []),
    ];
    if (problems.length) wrong.push({ name: f.target.name, why: problems.join('; ') });
  }
  return {
    consistent: wrong.length === 0,
    wrong,
    unreported: facts.filter((f) => !f.version).map((f) => f.target.name),
    facts,
  };
}

/** The fleet in one status line (140 characters at most reach GitHub): how many on what, and the wrong ones. */
export function truthLine(truth: FleetTruth, version: string | undefined): string {
  const total = truth.facts.length;
  const on = truth.facts.filter((f) => !version || f.version === version).length;
  const serving = truth.facts.filter((f) => f.inRotation && !f.why).length;
  const head = version
    ? `${on}/${total} report ${version}, ${serving}/${total} serving`
    : `${serving}/${total} serving`;
  if (truth.consistent) return head;
  return `${head}; wrong: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join(', ')}`;
}

/** The fleet as a summary table: each target, what it runs, whether it serves. */
export function truthTable(truth: FleetTruth): string[][] {
  return truth.facts.map((f) => [
    f.target.name,
    f.target.address,
    f.version ?? 'not reported',
    f.inRotation ? 'in rotation' : f.balancer,
    f.why ? `no: ${f.why}` : 'yes',
  ]);
}
