/**
 * Provenance of release records, through the canary bundle over real nginx: a record is acted
 * on only when GitHub's run data shows this repository's pipeline wrote it (SECURITY.md).
 * Each attack is what a holder of `deployments: write` can do with two API calls.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cloneWorkspace, commit, git } from '@rollgate/testbed';
import { STABLE, startStack, type Stack } from '../../roads/canary/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ '1.1.0': {} });
}, 60_000);
afterAll(async () => {
  const violations = stack.gh.violations.splice(0);
  await stack.stop();
  expect(violations).toEqual([]);
});

async function api(path: string, body: object): Promise<{ id: number }> {
  const res = await fetch(`${stack.gh.repoUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'token t' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: number };
}

/** A record with any payload and a success status: the forger's two calls. */
async function forge(environment: string, payload: object): Promise<number> {
  const d = await api('/deployments', {
    ref: stack.sha,
    environment,
    auto_merge: false,
    required_contexts: [],
    payload,
  });
  await api(`/deployments/${d.id}/statuses`, { state: 'success', auto_inactive: false, description: 'live' });
  return d.id;
}

const OUTSIDE = '10.6.6.6:80';
/** The canary with no stable-address input: the stable's address comes from its record. */
const canaryFromRecords = (environment: string, extra: Record<string, string> = {}, options = {}) =>
  stack.canary(
    { version: '1.1.0', environment, steps: '100', 'skip-analysis': 'true', 'stable-address': '', ...extra },
    options,
  );

describe('release records are traced to the pipeline run that wrote them', () => {
  it('ignores a forged live record naming no run, so traffic never reaches its outside address', async () => {
    await stack.seed('pv-a', STABLE);
    const forged = await forge('pv-a', { version: '1.0.5', address: OUTSIDE });
    const r = await canaryFromRecords('pv-a');
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: `Deployment ${forged} in pv-a is not trusted and is ignored: it names no workflow run (records written before rollgate checked provenance, or not by rollgate).`,
      }),
    );
    expect(stack.upstream()).not.toContain('10.6.6.6');
  }, 60_000);

  it('ignores a record naming a pull request run, a fork run, or a run on another branch', async () => {
    await stack.seed('pv-b', STABLE);
    const cases = [
      {
        id: 8101,
        event: 'pull_request',
        head_branch: 'feature/x',
        why: 'run 8101 was started by pull_request, not by a push, dispatch or schedule',
      },
      {
        id: 8102,
        event: 'push',
        head_branch: 'main',
        head_repository: 'mallory/service',
        why: 'run 8102 ran code from mallory/service (a fork)',
      },
      { id: 8103, event: 'push', head_branch: 'feature/x', why: 'run 8103 ran on feature/x, not on main' },
      {
        id: 8104,
        event: 'dynamic',
        path: 'dynamic/github-code-scanning/codeql',
        why: 'run 8104 is not a run of a workflow file of this repository (dynamic/github-code-scanning/codeql)',
      },
    ];
    const forged: Record<number, string> = {};
    for (const c of cases) {
      const { why, ...run } = c;
      stack.gh.startRun({ ...run, head_sha: stack.sha });
      forged[
        await forge('pv-b', {
          version: '1.0.5',
          commit: stack.sha,
          address: OUTSIDE,
          run: { id: String(c.id), attempt: 1 },
        })
      ] = why;
    }
    const r = await canaryFromRecords('pv-b');
    expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
    for (const [id, why] of Object.entries(forged)) {
      expect(r.annotations).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: `Deployment ${id} in pv-b is not trusted and is ignored: ${why}.`,
        }),
      );
    }
    expect(stack.upstream()).not.toContain('10.6.6.6');
  }, 60_000);

  it('ignores a record created after the run it names had finished', async () => {
    await stack.seed('pv-c', STABLE);
    // A real, finished pipeline run of main, long over.
    stack.gh.clock = () => Date.parse('2026-01-01T10:00:00Z');
    const old = stack.gh.startRun({ id: 8201, head_sha: stack.sha });
    stack.gh.clock = () => Date.parse('2026-01-01T10:20:00Z');
    stack.gh.finishRun(old.id);
    stack.gh.clock = Date.now;
    const forged = await forge('pv-c', {
      version: '1.0.5',
      commit: stack.sha,
      address: OUTSIDE,
      run: { id: '8201', attempt: 1 },
    });
    const r = await canaryFromRecords('pv-c');
    expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(
          new RegExp(
            `^Deployment ${forged} in pv-c is not trusted and is ignored: it was created at \\S+, when no job of run 8201 attempt 1 was running \\(outside the run\\)\\.$`,
          ),
        ),
      }),
    );
  }, 60_000);

  it('fails closed when a copy of the stable record makes it untraceable: never a comparison-free first release', async () => {
    const stable = await stack.seed('pv-d', STABLE);
    const real = stack.gh.state.deployments.find((d) => d.id === stable)?.payload as {
      run: { id: string; attempt: number };
    };
    // The stable's run is over: a copy claiming it is refused, and so is the original (which is which cannot be told).
    const copy = await forge('pv-d', { version: '1.0.5', commit: stack.sha, address: OUTSIDE, run: real.run });
    const before = { upstream: stack.upstream(), deployments: stack.gh.state.deployments.length };
    const r = await canaryFromRecords('pv-d');
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      new RegExp(
        `^No trusted stable release in pv-d, and 2 record\\(s\\) there are not trusted \\(deployment ${copy}: it claims run ${real.run.id} attempt 1, as deployment ${stable} does; deployment ${stable}: .*\\)\\. Rollgate will not treat this as a first release; name the stable with stable-version \\(and stable-address\\) to go on\\.$`,
      ),
    );
    expect({ upstream: stack.upstream(), deployments: stack.gh.state.deployments.length }).toEqual(before);
  }, 60_000);

  it('refuses to run from a branch it does not trust before writing anything, and runs when the branch is named', async () => {
    await stack.seed('pv-e', STABLE);
    const before = stack.gh.state.deployments.length;
    const r = await canaryFromRecords('pv-e', {}, { ref: 'refs/heads/feature/x' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(
      /^This run cannot write or act on release records of pv-e: it runs for refs\/heads\/feature\/x, not for the branch main\. Records are trusted only from runs of this repository's workflows on main \(set trusted-branches to add branches; a tag is never a branch, whatever its name\)\.$/,
    );
    expect(stack.gh.state.deployments.length).toBe(before);
    // Named as trusted, the same run goes ahead (and the main-branch stable is still trusted): its commit is on feature/x.
    git(stack.gh.remote, ['branch', 'feature/x', stack.sha]);
    const ok = await canaryFromRecords(
      'pv-e',
      { 'trusted-branches': 'main, feature/x' },
      { ref: 'refs/heads/feature/x' },
    );
    expect(ok.error).toBeUndefined();
    expect(ok.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
  }, 60_000);

  it('says which permission is missing when the token cannot read workflow runs', async () => {
    stack.gh.fault({
      route: '/repos/{owner}/{repo}/actions/runs/{run_id}',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const before = stack.gh.state.deployments.length;
    const r = await canaryFromRecords('pv-f');
    expect(r.exitCode).toBe(1);
    expect(r.error).toBe(
      'The token cannot read workflow runs or commits (Resource not accessible by integration): give the job `actions: read` and `contents: read` so records can be traced to their runs.',
    );
    expect(stack.gh.state.deployments.length).toBe(before);
  }, 60_000);

  it('refuses a tag named like the default branch: its run is not a run of main, and its record is not trusted', async () => {
    await stack.seed('pv-h', STABLE);
    // Anyone who can push a tag pushes `main` on an unreviewed commit carrying its own workflow.
    const work = cloneWorkspace(stack.gh.remote);
    const unreviewed = commit(work, 'feat: my own deploy workflow');
    git(work, ['push', '-q', 'origin', `${unreviewed}:refs/tags/main`]);
    // GitHub reports that tag push's head_branch as "main".
    stack.gh.startRun({ id: 8301, head_sha: unreviewed, head_branch: 'main' });
    const forged = await api('/deployments', {
      ref: unreviewed,
      environment: 'pv-h',
      auto_merge: false,
      required_contexts: [],
      payload: { version: '1.0.5', commit: unreviewed, address: OUTSIDE, run: { id: '8301', attempt: 1 } },
    });
    await api(`/deployments/${forged.id}/statuses`, { state: 'success', auto_inactive: false });
    const r = await canaryFromRecords('pv-h');
    expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        message: `Deployment ${forged.id} in pv-h is not trusted and is ignored: run 8301 ran commit ${unreviewed.slice(0, 12)}, which is not on main (a tag or another ref named main, not the branch).`,
      }),
    );
    expect(stack.upstream()).not.toContain('10.6.6.6');
    // And that tag's own run cannot act at all: a tag is never the branch.
    const before = stack.gh.state.deployments.length;
    const fromTag = await canaryFromRecords('pv-h', {}, { ref: 'refs/tags/main' });
    expect(fromTag.exitCode).toBe(1);
    expect(fromTag.error).toMatch(
      /^This run cannot write or act on release records of pv-h: it runs for refs\/tags\/main, not for the branch main\./,
    );
    expect(stack.gh.state.deployments.length).toBe(before);
  }, 60_000);

  it('refuses copies of a record made while its run goes on: a claimed second attempt, a run id spelt "0<id>"', async () => {
    // The live release's run is still going (a long pipeline run): copies stamped now are inside its window.
    const stable = await stack.seed('pv-i', STABLE);
    const real = stack.gh.state.deployments.find((d) => d.id === stable)?.payload as {
      run: { id: string; attempt: number };
    };
    stack.gh.startRun({ id: Number(real.run.id), head_sha: stack.sha, run_attempt: 1 });
    const second = await forge('pv-i', {
      version: '1.0.5',
      commit: stack.sha,
      address: OUTSIDE,
      run: { id: real.run.id, attempt: 2 },
    });
    const zero = await forge('pv-i', {
      version: '1.0.6',
      commit: stack.sha,
      address: OUTSIDE,
      run: { id: `0${real.run.id}`, attempt: 1 },
    });
    const r = await canaryFromRecords('pv-i');
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
    const warned = (id: number) =>
      r.annotations.find((a) => a.message.startsWith(`Deployment ${id} in pv-i is not trusted and is ignored: `))
        ?.message;
    expect(warned(second)).toMatch(
      new RegExp(`it claims attempt 2 of run ${real.run.id}, which has had 1 attempt\\(s\\)`),
    );
    expect(warned(zero)).toMatch(/run is not a workflow run id and attempt/);
    expect(stack.upstream()).not.toContain('10.6.6.6');
  }, 60_000);

  it('refuses a record naming a run that was waiting for reviewers, then and after the run ended', async () => {
    await stack.seed('pv-j', STABLE);
    await stack.seed('pv-k', STABLE);
    // A run of the pipeline whose deploying job waits for an approval (GitHub keeps such runs up to 30 days).
    stack.gh.startRun({ id: 8401, head_sha: stack.sha, jobs: [] });
    stack.gh.startJob(8401, 'build');
    stack.gh.finishJob(8401, 'build');
    stack.gh.clock = () => Date.now() + 10 * 60_000;
    stack.gh.startJob(8401, 'canary', 'waiting');
    const forged = Object.fromEntries(
      await Promise.all(
        ['pv-j', 'pv-k'].map(async (env) => [
          env,
          await forge(env, { version: '1.0.5', commit: stack.sha, address: OUTSIDE, run: { id: '8401', attempt: 1 } }),
        ]),
      ),
    ) as Record<string, number>;
    const during = await canaryFromRecords('pv-j');
    // Rejected by a reviewer later: the run ends, and the record made during the wait stays untrusted.
    stack.gh.clock = () => Date.now() + 40 * 60_000;
    stack.gh.finishRun(8401, 'failure');
    stack.gh.clock = Date.now;
    const after = await canaryFromRecords('pv-k');
    for (const [env, r] of [
      ['pv-j', during],
      ['pv-k', after],
    ] as const) {
      expect(r.outputs).toMatchObject({ outcome: 'promoted', 'stable-version': STABLE });
      expect(r.annotations).toContainEqual(
        expect.objectContaining({
          message: expect.stringMatching(
            new RegExp(
              `^Deployment ${forged[env]} in ${env} is not trusted and is ignored: it was created at \\S+, when no job of run 8401 attempt 1 was running`,
            ),
          ),
        }),
      );
    }
    expect(stack.upstream()).not.toContain('10.6.6.6');
  }, 60_000);

  it('rejects a trusted-branches value that is not a branch name', async () => {
    const r = await canaryFromRecords('pv-g', { 'trusted-branches': 'main\nrefs/../x' });
    expect(r.exitCode).toBe(1);
    expect(r.error).toMatch(/^Input 'trusted-branches': expected branch names/);
  });
});
