/**
 * The environment chain's road in `npm run demo` (roads/pipeline/chain-road.ts): one build through
 * staging, then production behind a required reviewer and a wait timer; a rejection, a bad
 * release stopped in staging, two promotions refused by hand, a carry by hand, a rollback.
 * Each run's outcome is the one the road expects, or the demo fails.
 */
import { runChainRoad, type ChainRoad } from '../roads/pipeline/chain-road.js';
import type { Weights } from '../roads/pipeline/serving.js';

const EXPECTED: Record<keyof ChainRoad['runs'], string> = {
  first: 'success',
  second: 'failure',
  bad: 'failure',
  carryBad: 'failure',
  carryEarly: 'failure',
  carried: 'success',
  rollback: 'success',
};

const WHAT: Record<keyof ChainRoad['runs'], string> = {
  first: 'deliver v0.1.0: staging, then production (approved)',
  second: 'deliver v0.1.1: staging, then production rejected by its reviewer (change freeze)',
  bad: 'deliver v0.1.2 (bad): stopped by the canary in staging, production skipped',
  carryBad: 'carry v0.1.2 by hand: refused (not live in staging)',
  carryEarly: 'carry live with soak 1h: refused (soak)',
  carried: 'carry live by hand (approved): v0.1.1 into production',
  rollback: 'rollback production: back to v0.1.0',
};

export async function chainDemo(say: (line: string) => void): Promise<boolean> {
  say("the environment chain's road: staging, then production");
  const r = await runChainRoad(say);
  const split = (w: Weights) =>
    Object.values(w)
      .filter((b) => b.weight > 0)
      .map((b) => `${b.version} ${b.weight}%`)
      .join(', ');
  console.log('');
  let ok = true;
  for (const [name, what] of Object.entries(WHAT) as [keyof ChainRoad['runs'], string][]) {
    const got = r.runs[name].conclusion;
    const right = got === EXPECTED[name];
    ok &&= right;
    say(`${right ? '✔' : '✘'} ${what}: ${got}${right ? '' : ` (expected ${EXPECTED[name]})`}`);
  }
  say(`reviews through the pending-deployments API: ${r.reviews.map((v) => `run ${v.runId} ${v.state}`).join(', ')}`);
  say(`staging serves ${split(r.weights.staging)}; production serves ${split(r.weights.production)}`);
  for (const environment of ['staging', 'production']) {
    say(`${environment} history (GitHub Deployments, oldest first):`);
    for (const d of r.gh.state.deployments.filter((x) => x.environment === environment)) {
      const p = d.payload as {
        version: string;
        kind?: string;
        promoted_from?: { environment: string; deployment_id: number };
      };
      const statuses = r.gh.state.statuses.filter((s) => s.deploymentId === d.id).sort((a, b) => a.id - b.id);
      const from = p.promoted_from ? `, from ${p.promoted_from.environment} #${p.promoted_from.deployment_id}` : '';
      say(`  #${d.id} ${p.version} (${p.kind ?? 'deploy'}${from}): ${statuses.map((s) => s.state).join(' → ')}`);
    }
  }
  return ok;
}
