/**
 * `npm run demo`: a consumer's road, rehearsed (rehearse/, the plan examples/consumer/rehearsal.yml).
 * examples/consumer becomes an application repository of its own (private, each job holding
 * only what its files grant), and its three workflow files run as written with the local
 * workflow runner, the suite pinned at a commit (a snapshot of this working tree, resolved from
 * a mirror as GitHub resolves owner/repo/path@sha):
 *   deliver.yml   build -> test -> release v0.1.0 -> live (no stable yet)
 *   deliver.yml   build -> test -> release v0.1.1 -> canary 25% judged on its metrics -> 100%
 *   rollback.yml  back to v0.1.0 from its original artifact
 *   deliver.yml   v0.1.2 with CANARY_MODE=start: pauses at 25% for the manual gate
 *   promote.yml   the gate: v0.1.2 goes to 100%
 * Then the environment chain (scripts/demo-chain.ts, with nginx and Prometheus installed):
 * staging, then production behind a reviewer the demo approves through the API; a bad release
 * stopped in staging and refused by hand. Then the fleet's road (scripts/demo-fleet.ts, with HAProxy and Prometheus installed): a phased
 * release over six local instances behind a real HAProxy, paused, continued, rolled back.
 * With nginx and Prometheus installed (apt-get install nginx prometheus) traffic goes through
 * nginx and the checks read Prometheus; without them, through examples/router with the
 * `command` traffic provider and `http` checks. It leaves nothing running.
 */
import { hasBinary } from '@rollgate/testbed';
import { fleetDemo } from './demo-fleet.js';
import { chainDemo } from './demo-chain.js';
import { runConsumerScenario } from '../roads/pipeline/consumer.js';

const started = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

const provider = hasBinary('nginx') && hasBinary('prometheus') ? 'nginx' : 'command';
if (provider === 'command')
  say(
    'nginx and Prometheus are not installed (apt-get install nginx prometheus): using examples/router and the command traffic provider.',
  );
// The consumer's road is a rehearsal: `npm run rehearse -- examples/consumer` runs the same plan.
const r = await runConsumerScenario(say, provider);
console.log('');
for (const line of r.lines) say(line);
const canaryOk = Object.values(r.runs).every((x) => x.conclusion === 'success') && r.load.failed === 0;
/** Stops at the first road that failed: the ✘ lines above name the failing step and its error. */
function stopIfFailed(ok: boolean, road: string): void {
  if (ok) return;
  say(`✘ ${road} failed (the ✘ lines above name the step and its error): the roads after it are not run.`);
  process.exit(1);
}
stopIfFailed(canaryOk, "the consumer's road");
console.log('');
if (provider === 'nginx') stopIfFailed(await chainDemo(say), "the environment chain's road");
else say("nginx or Prometheus is not installed: the environment chain's road is skipped.");
console.log('');
if (hasBinary('haproxy') && hasBinary('prometheus')) stopIfFailed(await fleetDemo(say), "the fleet's road");
else say("HAProxy or Prometheus is not installed (apt-get install haproxy prometheus): the fleet's road is skipped.");
say('done: services, router, HAProxy, emulators stopped');
