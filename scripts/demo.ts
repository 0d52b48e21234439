/**
 * `npm run demo`: makes a scratch git repository with a few Conventional Commits and
 * runs the bundled release action on it in dry-run, exactly as a runner would start it.
 * Leaves nothing running; the scratch folder is removed at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'rollgate-demo-'));
const git = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
const env = { GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.com' };
Object.assign(process.env, env);

try {
  git('init', '-q', '-b', 'main');
  const commit = (msg: string) => {
    writeFileSync(join(work, 'log.txt'), `${msg}\n`, { flag: 'a' });
    git('add', '.');
    git('commit', '-q', '-m', msg);
  };
  commit('feat: first service endpoint');
  git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
  commit('fix(api): handle empty body');
  commit('feat(api): add /health');
  console.log(`scratch repository ${work}: v1.0.0 then 2 commits (a fix and a feature)`);

  const output = join(work, '.output');
  const summary = join(work, '.summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const run = spawnSync('node', [join(root, 'dist', 'release', 'index.js')], {
    cwd: work,
    encoding: 'utf8',
    env: {
      ...process.env,
      GITHUB_WORKSPACE: work,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_REPOSITORY: 'demo/service',
      GITHUB_SHA: git('rev-parse', 'HEAD'),
      'INPUT_DRY-RUN': 'true',
      'INPUT_TAG-PREFIX': 'v',
      'INPUT_INITIAL-VERSION': '0.1.0',
    },
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  console.log(`release action exited with ${run.status}`);
  const outputs = readFileSync(output, 'utf8');
  if (outputs) console.log(`outputs:\n${outputs}`);
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
