/**
 * `npm run demo`: the release job on a scratch repository, as a runner would run it.
 * It makes a bare "GitHub" repository with a v1.0.0 tag and a few Conventional Commits,
 * starts the GitHub API emulator on 127.0.0.1, and runs the bundled release action:
 * first in dry-run, then for real (tag pushed, GitHub release created), then once more
 * to show that a re-run releases nothing twice. Leaves nothing running.
 */
import { rmSync } from 'node:fs';
import { GitHubEmulator, cloneWorkspace, commit, createRemote, git, runAction, seedRepository, type StepResult } from '@rollgate/testbed';

const started = Date.now();
const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
const say = (line: string) => console.log(`${stamp()} ${line}`);

const remote = createRemote();
const seed = seedRepository(remote, 'feat: first service endpoint');
git(seed, ['tag', '-a', 'v1.0.0', '-m', 'v1.0.0']);
commit(seed, 'fix(api): handle an empty request body');
commit(seed, 'feat(api): add /health');
commit(seed, 'docs: explain the health check');
git(seed, ['push', '-q', 'origin', 'main', '--tags']);
say(`repository: v1.0.0, then a fix, a feature and a docs change (${remote})`);

const gh = await GitHubEmulator.start({ remote });
say(`GitHub API emulator on ${gh.url}`);
const workspace = cloneWorkspace(remote);

function show(label: string, r: StepResult): void {
  const o = r.outputs;
  say(`${label}: exit ${r.exitCode}; released=${o.released} version=${o.version} tag=${o.tag} previous=${o['previous-tag']} type=${o['release-type']}`);
  if (r.error) say(`  error: ${r.error}`);
}

try {
  const common = { action: 'release', workspace, repository: gh.repository, sha: git(workspace, ['rev-parse', 'HEAD']), apiUrl: gh.url, token: 'ghs_demo_token' };
  const dry = await runAction({ ...common, inputs: { 'dry-run': 'true' } });
  show('dry run', dry);
  console.log(`\n${dry.outputs.changelog}`);

  const real = await runAction({ ...common, inputs: { 'floating-tags': 'true' } });
  show('release', real);
  say(`remote tags now: ${git(remote, ['tag', '--list']).split('\n').join(', ')}`);
  const rel = gh.state.releases.at(-1);
  say(`GitHub release: ${rel?.tag_name} draft=${rel?.draft} (${gh.calls().length} API call(s))`);

  const again = await runAction({ ...common, inputs: { 'floating-tags': 'true' } });
  show('re-run', again);
  say(`releases on GitHub: ${gh.state.releases.length}`);
  process.exitCode = dry.exitCode || real.exitCode || again.exitCode || (rel ? 0 : 1);
} finally {
  await gh.stop();
  for (const dir of [remote, seed, workspace]) rmSync(dir, { recursive: true, force: true });
  say('done: emulator stopped, scratch repositories removed');
}
