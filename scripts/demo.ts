/**
 * `npm run demo`: the whole road on a scratch copy of the sample service, run by the local
 * workflow runner against the GitHub API emulator and the artifact service emulator:
 *   pipeline.yml  build -> test -> release v0.1.0 -> live (no stable yet)
 *   pipeline.yml  build -> test -> release v0.1.1 -> canary 25% judged on its metrics -> 100%
 *   rollback.yml  back to v0.1.0 from its original artifact
 *   pipeline.yml  v0.1.2 with canary-mode start: pauses at 25% for the manual gate
 *   promote.yml   the gate: v0.1.2 goes to 100%
 * With nginx and Prometheus installed (apt-get install nginx prometheus) traffic goes through
 * nginx and the checks read Prometheus; without them, through examples/router with the
 * `command` traffic provider and `http` checks. It leaves nothing running.
 */
import { hasBinary } from '@rollgate/testbed';
import { runScenario } from '../test/pipeline/scenario.js';
import type { Weights } from '../test/pipeline/serving.js';

const started = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

const provider = hasBinary('nginx') && hasBinary('prometheus') ? 'nginx' : 'command';
if (provider === 'command') say('nginx and Prometheus are not installed (apt-get install nginx prometheus): using examples/router and the command traffic provider.');
const r = await runScenario(say, provider);
const show = (label: string, served: Record<string, number>) => say(`${label}: requests served by ${Object.entries(served).map(([v, n]) => `${v} (${n})`).join(', ')}`);
const split = (w: Weights) => Object.values(w).map((b) => `${b.version} ${b.weight}%`).join(', ');
console.log('');
say(`pipeline #1: ${r.first.conclusion}, released ${r.first.outputs.tag}`);
say(`pipeline #2: ${r.second.conclusion}, released ${r.second.outputs.tag}, canary ${r.second.outputs['canary-outcome']} (deployment ${r.second.outputs['deployment-id']})`);
show('after pipeline #2', r.servedAfterSecond);
say(`rollback: ${r.rollback.conclusion}, live again: ${r.rollback.jobs.rollback?.outputs.version}`);
show('after rollback', r.servedAfterRollback);
say(`pipeline #3: ${r.third.conclusion}, released ${r.third.outputs.tag}, canary ${r.third.outputs['canary-outcome']}: ${split(r.weightsWhilePaused)}`);
say(`promote: ${r.promote.conclusion}: ${split(r.weightsAfterPromote)}`);
show('after promote', r.servedAfterPromote);
const retried = r.provider === 'nginx' ? `, ${r.load.retried} retried after an nginx reload closed a kept-alive connection` : '';
say(`load: ${r.load.sent} requests, ${r.load.failed} failed${retried}`);
say('deployment history (GitHub Deployments, oldest first):');
for (const d of r.gh.state.deployments) {
  const statuses = r.gh.state.statuses.filter((s) => s.deploymentId === d.id).sort((a, b) => a.id - b.id);
  say(`  #${d.id} ${(d.payload as { version: string }).version} (${(d.payload as { kind?: string }).kind ?? 'deploy'}): ${statuses.map((s) => s.state).join(' → ')}`);
}
say('done: services, router, emulators stopped');
process.exitCode = [r.first, r.second, r.rollback, r.third, r.promote].every((x) => x.conclusion === 'success') && r.load.failed === 0 ? 0 : 1;
