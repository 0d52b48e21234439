/**
 * Operations beside a running canary (rollback, promote and abort run in their own concurrency
 * group, so they can run while a pipeline's canary moves traffic): an abort by hand stops the
 * running canary before its next move; a new canary waits for a running rollback (wait-timeout).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STABLE, loadDuring, startStack, type Stack } from '../../roads/canary/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ '1.1.0': {}, '1.2.0': {} });
}, 60_000);
afterAll(async () => {
  const violations = stack.gh.violations.splice(0);
  await stack.stop();
  expect(violations).toEqual([]);
});

const statusesOf = (id: number) =>
  stack.gh.state.statuses.filter((s) => s.deploymentId === id).sort((a, b) => a.id - b.id);

async function until(test: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('operations beside a running canary', () => {
  it('a canary aborted by hand while it runs stops before its next move and leaves the traffic on stable', async () => {
    await stack.seed('op-a', STABLE);
    const { result } = await loadDuring(stack, async () => {
      const running = stack.canary({
        version: '1.1.0',
        environment: 'op-a',
        steps: '25,50,100',
        interval: '6s',
        samples: '4',
      });
      const record = () =>
        stack.gh.state.deployments.find(
          (d) => d.environment === 'op-a' && (d.payload as { version: string }).version === '1.1.0',
        );
      await until(
        () => !!record() && statusesOf(record()?.id as number).some((s) => s.description.startsWith('canary 25%')),
      );
      const abort = await stack.canary({ version: '1.1.0', environment: 'op-a', mode: 'abort' });
      expect(abort.error).toBeUndefined();
      expect(abort.outputs.outcome).toBe('aborted');
      return { run: await running, id: record()?.id as number };
    });
    expect(result.run.outputs.outcome).toBe('aborted');
    expect(result.run.stdout).toContain(
      'The canary of 1.1.0 was settled by someone else (failure: aborted by hand at 25%',
    );
    // Its last status is the abort's; it never moved to 50%.
    expect(statusesOf(result.id).map((s) => s.description)).not.toContainEqual(expect.stringMatching(/^canary 50%/));
    expect(statusesOf(result.id).at(-1)?.state).toBe('failure');
    expect(stack.upstream()).not.toMatch(/weight=[1-9]\d*; # canary/);
  }, 90_000);

  it('a new canary waits for a running rollback, and with wait-timeout 0 says so at once without touching anything', async () => {
    await stack.seed('op-b', STABLE);
    // A rollback deploying now, written by a run of the pipeline (registered and running).
    const run = stack.gh.startRun({
      id: 7777,
      head_sha: stack.sha,
      event: 'workflow_dispatch',
      path: '.github/workflows/rollback.yml',
    });
    const api = (path: string, body: object) =>
      fetch(`${stack.gh.repoUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'token t' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ id: number }>);
    const builder = stack.gh.startRun({ id: 7776, head_sha: stack.sha });
    stack.gh.finishRun(builder.id);
    const d = await api('/deployments', {
      ref: stack.sha,
      environment: 'op-b',
      auto_merge: false,
      required_contexts: [],
      payload: {
        version: '0.9.0',
        commit: stack.sha,
        kind: 'rollback',
        run: { id: String(run.id), attempt: 1 },
        artifact: { name: 'svc', digest: `sha256:${'1'.repeat(64)}`, run_id: '7776' },
      },
    });
    await api(`/deployments/${d.id}/statuses`, {
      state: 'in_progress',
      description: 'deploying 0.9.0 from its original artifact',
    });
    const before = { upstream: stack.upstream(), deployments: stack.gh.state.deployments.length };
    const now = await stack.canary({ version: '1.2.0', environment: 'op-b', 'wait-timeout': '0' });
    expect(now.exitCode).toBe(1);
    expect(now.error).toBe(
      `The rollback to 0.9.0 is still running in op-b (deployment ${d.id}: deploying 0.9.0 from its original artifact): the canary of 1.2.0 waits for it to finish (wait-timeout). If its runner was lost, settle it first: give deployment ${d.id} a failure status (the REST API), then run rollback.yml again.`,
    );
    expect({ upstream: stack.upstream(), deployments: stack.gh.state.deployments.length }).toEqual(before);
    // With a wait: the rollback finishes meanwhile, then the canary goes on.
    const waiting = stack.canary({
      version: '1.2.0',
      environment: 'op-b',
      'wait-timeout': '1m',
      steps: '100',
      'skip-analysis': 'true',
    });
    await new Promise((r) => setTimeout(r, 4000));
    expect(stack.gh.state.deployments.length).toBe(before.deployments);
    await api(`/deployments/${d.id}/statuses`, { state: 'failure', description: 'rollback to 0.9.0 failed' });
    stack.gh.finishRun(run.id);
    const r = await waiting;
    expect(r.error).toBeUndefined();
    expect(r.stdout).toContain(
      `Waiting for the rollback to 0.9.0 (deployment ${d.id}: deploying 0.9.0 from its original artifact) to finish before the canary of 1.2.0; up to 1m.`,
    );
    expect(r.outputs.outcome).toBe('promoted');
  }, 90_000);
});
