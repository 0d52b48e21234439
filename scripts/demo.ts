/**
 * `npm run demo`: the whole road on a scratch copy of the sample service, run by the local
 * workflow runner against the GitHub API emulator and the artifact service emulator:
 *   pipeline.yml  build -> test -> release v0.1.0 -> live (no stable yet)
 *   pipeline.yml  build -> test -> release v0.1.1 -> canary 25% judged on Prometheus -> 100%
 *   rollback.yml  back to v0.1.0 from its original artifact, traffic through nginx to it
 * With nginx and Prometheus installed (apt-get install nginx prometheus) the canary runs over
 * them; without, the demo says so and runs the release job alone. It leaves nothing running.
 */
import { hasBinary } from '@rollgate/testbed';

const started = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);

if (hasBinary('nginx') && hasBinary('prometheus')) {
  const { runScenario } = await import('../test/pipeline/scenario.js');
  const r = await runScenario(say);
  const show = (label: string, served: Record<string, number>) => say(`${label}: requests served by ${Object.entries(served).map(([v, n]) => `${v} (${n})`).join(', ')}`);
  console.log('');
  say(`pipeline #1: ${r.first.conclusion}, released ${r.first.outputs.tag}`);
  say(`pipeline #2: ${r.second.conclusion}, released ${r.second.outputs.tag}, canary deployment ${r.second.outputs['deployment-id']}`);
  show('after pipeline #2', r.servedAfterSecond);
  say(`rollback: ${r.rollback.conclusion}, live again: ${r.rollback.jobs.rollback?.outputs.version}`);
  show('after rollback', r.servedAfterRollback);
  say(`load through nginx: ${r.load.sent} requests, ${r.load.failed} failed, ${r.load.retried} retried after an nginx reload closed a kept-alive connection`);
  say('deployment history (GitHub Deployments, newest last):');
  for (const d of r.gh.state.deployments) {
    const statuses = r.gh.state.statuses.filter((s) => s.deploymentId === d.id).sort((a, b) => a.id - b.id);
    say(`  #${d.id} ${(d.payload as { version: string }).version} (${(d.payload as { kind?: string }).kind ?? 'deploy'}): ${statuses.map((s) => s.state).join(' → ')}`);
  }
  say('done: services, nginx, Prometheus and emulators stopped');
  process.exitCode = [r.first, r.second, r.rollback].every((x) => x.conclusion === 'success') ? 0 : 1;
} else {
  say('nginx and Prometheus are not installed (apt-get install nginx prometheus): running the release job only.');
  const { GitHubEmulator, cloneWorkspace, commit, createRemote, git, runAction, seedRepository } = await import('@rollgate/testbed');
  const remote = createRemote();
  const seed = seedRepository(remote, 'feat: first service endpoint');
  git(seed, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
  commit(seed, 'fix(api): handle an empty request body');
  commit(seed, 'feat(api): add /health');
  git(seed, ['push', '-q', 'origin', 'main', '--tags']);
  const gh = await GitHubEmulator.start({ remote });
  try {
    const workspace = cloneWorkspace(remote);
    const r = await runAction({ action: 'release', workspace, repository: gh.repository, sha: git(workspace, ['rev-parse', 'HEAD']), apiUrl: gh.url, token: 'ghs_demo', inputs: { 'floating-tags': 'true' } });
    say(`release: exit ${r.exitCode}, released ${r.outputs.tag} (previous ${r.outputs['previous-tag']}); remote tags: ${git(remote, ['tag', '--list']).split('\n').join(', ')}`);
    console.log(`\n${r.outputs.changelog}`);
    process.exitCode = r.exitCode ?? 1;
  } finally {
    await gh.stop();
  }
}
