/**
 * The provenance rules one by one, against the GitHub API emulator (its answers are checked
 * against GitHub's OpenAPI description): which run, branch, event, commit, tag and artifact
 * make a record traceable to this repository's pipeline. The attacks end to end, through the
 * bundles, are in test/canary/provenance.test.ts and test/canary/rollback.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GitHubEmulator, commit, createRemote, git, seedRepository } from '@rollgate/testbed';
import { Provenance, createGitHub, payloadProblem, workflowPath, type ReleasePayload } from '@rollgate/github';

let gh: GitHubEmulator;
let sha: string;
let other: string;
let unreviewed: string;
beforeAll(async () => {
  const remote = createRemote();
  const dir = seedRepository(remote, 'feat: service');
  sha = git(dir, ['rev-parse', 'HEAD']);
  other = commit(dir, 'fix: later');
  git(dir, ['tag', 'v1.0.0', sha]);
  git(dir, ['tag', '-a', 'v1.0.1', '-m', 'annotated', other]);
  git(dir, ['push', '-q', 'origin', 'HEAD:main', 'HEAD:release/2', '--tags']);
  // A commit pushed only under a tag named like the default branch: never reviewed into main.
  unreviewed = commit(dir, 'feat: my own workflow');
  git(dir, ['push', '-q', 'origin', `${unreviewed}:refs/tags/main`]);
  gh = await GitHubEmulator.start({ remote });
});
afterAll(async () => {
  const violations = gh.violations.splice(0);
  await gh.stop();
  expect(violations).toEqual([]);
});

let ids = 9000;
const check = (
  payload: Omit<ReleasePayload, 'run'> & { run?: ReleasePayload['run'] },
  record: { sha?: string; created_at?: string } = {},
  branches: string[] = [],
  workflows: string[] = [],
) =>
  new Provenance(
    createGitHub({ token: 't', baseUrl: gh.url, retries: 0 }),
    { owner: gh.owner, repo: gh.repo },
    branches,
    workflows,
  ).problem({
    id: 1,
    sha: record.sha ?? sha,
    created_at: record.created_at ?? new Date().toISOString(),
    payload: payload as ReleasePayload,
  });
type RunFields = Partial<Parameters<GitHubEmulator['startRun']>[0]>;
/** Runs `work` with the emulator's clock at `time` (then back to real time). */
function at<T>(time: string, work: () => T): T {
  gh.clock = () => Date.parse(time);
  try {
    return work();
  } finally {
    gh.clock = Date.now;
  }
}
const run = (fields: RunFields = {}) => {
  const r = gh.startRun({ id: ++ids, head_sha: sha, ...fields });
  return { id: String(r.id), attempt: 1 };
};

describe('provenance of a release record', () => {
  it('trusts a record written by a push run of main that built its commit and tag', async () => {
    expect(await check({ version: '1.0.0', commit: sha, tag: 'v1.0.0', run: run() })).toBeUndefined();
  });

  it.each([['workflow_dispatch'], ['schedule']])('trusts a %s run of main', async (event) => {
    expect(await check({ version: '1.0.0', run: run({ event }) })).toBeUndefined();
  });

  it.each([['pull_request'], ['pull_request_target'], ['issue_comment'], ['merge_group']])(
    'refuses a %s run',
    async (event) => {
      const r = run({ event });
      expect(await check({ version: '1.0.0', run: r })).toBe(
        `run ${r.id} was started by ${event}, not by a push, dispatch or schedule`,
      );
    },
  );

  it('refuses a run that does not exist, and a record naming none', async () => {
    expect(await check({ version: '1.0.0', run: { id: '123456789', attempt: 1 } })).toBe(
      `workflow run 123456789 does not exist in ${gh.repository}`,
    );
    expect(await check({ version: '1.0.0' })).toMatch(/^it names no workflow run/);
  });

  it('reads the default branch from the repository, and takes trusted-branches instead when given', async () => {
    const r = run({ head_branch: 'release/2' });
    expect(await check({ version: '1.0.0', run: r })).toBe(`run ${r.id} ran on release/2, not on main`);
    expect(await check({ version: '1.0.0', run: r }, {}, ['main', 'release/2'])).toBeUndefined();
    expect(await check({ version: '1.0.0', run: run() }, {}, ['release/2'])).toMatch(/ran on main, not on release\/2$/);
  });

  it('accepts the workflow path in both forms GitHub gives, and nothing outside .github/workflows', () => {
    expect(workflowPath('.github/workflows/ci.yml', 'o/r')).toBe('.github/workflows/ci.yml');
    expect(workflowPath('o/r/.github/workflows/ci.yml@refs/heads/main', 'o/r')).toBe('.github/workflows/ci.yml');
    expect(workflowPath('x/y/.github/workflows/ci.yml@main', 'o/r')).toBe('x/y/.github/workflows/ci.yml');
    expect(workflowPath('.github/workflows/../../evil.yml', 'o/r')).toBe('');
  });

  it('refuses a record whose commit is not the one its run built', async () => {
    expect(await check({ version: '1.0.0', commit: other, run: run() })).toBe(
      `its payload commit ${other.slice(0, 12)} is not the deployment's commit ${sha.slice(0, 12)}`,
    );
    const r = run({ head_sha: other });
    expect(await check({ version: '1.0.0', run: r })).toBe(
      `run ${r.id} built ${other.slice(0, 12)}, not the deployment's commit ${sha.slice(0, 12)}`,
    );
  });

  it('refuses a tag on another commit (annotated tags are followed) or missing', async () => {
    expect(await check({ version: '1.0.1', tag: 'v1.0.1', run: run() })).toBe(
      `tag v1.0.1 points at ${other.slice(0, 12)}, not at the deployment's commit ${sha.slice(0, 12)}`,
    );
    expect(
      await check({ version: '1.0.1', tag: 'v1.0.1', run: run({ head_sha: other }) }, { sha: other }),
    ).toBeUndefined();
    expect(await check({ version: '9.0.0', tag: 'v9.0.0', run: run() })).toMatch(/^tag v9\.0\.0 does not exist/);
  });

  it('refuses a record created before its run started or long after it ended', async () => {
    const r = at('2026-03-01T10:00:00Z', () => run({ created_at: '2026-03-01T10:00:00Z' }));
    at('2026-03-01T10:30:00Z', () => gh.finishRun(Number(r.id)));
    expect(await check({ version: '1.0.0', run: r }, { created_at: '2026-03-01T10:10:00Z' })).toBeUndefined();
    expect(await check({ version: '1.0.0', run: r }, { created_at: '2026-03-01T09:00:00Z' })).toMatch(
      /when no job of run \d+ attempt 1 was running \(outside the run\)$/,
    );
    expect(await check({ version: '1.0.0', run: r }, { created_at: '2026-03-02T10:00:00Z' })).toMatch(
      /when no job of run \d+ attempt 1 was running/,
    );
  });

  it('refuses a run of a tag named like the default branch: its commit is not on the branch', async () => {
    // GitHub reports a tag push's head_branch as the tag's name.
    const r = run({ head_sha: unreviewed, head_branch: 'main' });
    expect(await check({ version: '1.0.0', run: r }, { sha: unreviewed })).toBe(
      `run ${r.id} ran commit ${unreviewed.slice(0, 12)}, which is not on main (a tag or another ref named main, not the branch)`,
    );
    // An older commit of main is on main (its branch head descends from it).
    expect(await check({ version: '1.0.0', run: run() })).toBeUndefined();
  });

  it("trusts only the suite's workflows, those calling them, and those named in trusted-workflows", async () => {
    const own = run({ path: '.github/workflows/evil.yml' });
    expect(await check({ version: '1.0.0', run: own })).toBe(
      `run ${own.id} is a run of .github/workflows/evil.yml, which neither is nor calls the suite's pipeline.yml, promote.yml, rollback.yml or carry.yml (name a workflow that uses the actions directly in trusted-workflows)`,
    );
    const caller = run({
      path: '.github/workflows/deliver.yml',
      referenced_workflows: [`rollgate/rollgate/.github/workflows/pipeline.yml@${'a'.repeat(40)}`],
    });
    expect(await check({ version: '1.0.0', run: caller })).toBeUndefined();
    const named = run({ path: '.github/workflows/deploy.yml' });
    expect(await check({ version: '1.0.0', run: named }, {}, [], ['.github/workflows/deploy.yml'])).toBeUndefined();
  });

  it('refuses an attempt the run never had, and a run id spelt with a leading zero', async () => {
    const r = run();
    expect(await check({ version: '1.0.0', run: { id: r.id, attempt: 2 } })).toBe(
      `it claims attempt 2 of run ${r.id}, which has had 1 attempt(s)`,
    );
    expect(payloadProblem({ version: '1.0.0', run: { id: `0${r.id}`, attempt: 1 } })).toBe(
      'run is not a workflow run id and attempt',
    );
  });

  it('refuses a record made while its run was queued or waiting for reviewers, during the wait and after the run', async () => {
    const r = run({ jobs: [] });
    gh.startJob(Number(r.id), 'build');
    gh.finishJob(Number(r.id), 'build');
    const waiting = at('2030-01-01T00:00:00Z', () => {
      gh.startJob(Number(r.id), 'deploy', 'waiting');
      return gh.now();
    });
    expect(gh.state.runs.find((x) => String(x.id) === r.id)?.status).toBe('waiting');
    expect(await check({ version: '1.0.0', run: r }, { created_at: waiting })).toMatch(
      /when no job of run \d+ attempt 1 was running \(the run is waiting\)$/,
    );
    // Approved later: the deploy job runs and the run ends; the record made during the wait stays refused.
    at('2030-01-01T01:00:00Z', () => gh.startJob(Number(r.id), 'deploy'));
    at('2030-01-01T01:10:00Z', () => gh.finishRun(Number(r.id)));
    expect(await check({ version: '1.0.0', run: r }, { created_at: waiting })).toMatch(
      /when no job of run \d+ attempt 1/,
    );
    expect(await check({ version: '1.0.0', run: r }, { created_at: '2030-01-01T01:05:00Z' })).toBeUndefined();
  });

  it('checks the build run of a rollback record, which its writer did not build', async () => {
    const build = run();
    const rollbackRun = run({ event: 'workflow_dispatch', head_sha: other, path: '.github/workflows/rollback.yml' });
    expect(
      await check({
        version: '1.0.0',
        kind: 'rollback',
        run: rollbackRun,
        artifact: { name: 'svc', digest: `sha256:${'1'.repeat(64)}`, run_id: build.id },
      }),
    ).toBeUndefined();
    expect(await check({ version: '1.0.0', kind: 'rollback', run: rollbackRun })).toBe(
      'it is a rollback record without the run that built its artifact',
    );
    const prBuild = run({ event: 'pull_request', head_branch: 'feature/x' });
    expect(
      await check({
        version: '1.0.0',
        kind: 'rollback',
        run: rollbackRun,
        artifact: { name: 'svc', digest: `sha256:${'1'.repeat(64)}`, run_id: prBuild.id },
      }),
    ).toBe(`its artifact: run ${prBuild.id} was started by pull_request, not by a push, dispatch or schedule`);
  });
});
