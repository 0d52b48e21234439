/**
 * The suite's one GitHub client against the emulator's model of GitHub's limits (testbed
 * limits.ts, small budgets and short windows): conditional GETs come back 304 and cost nothing;
 * a used-up primary limit is waited out until its reset; a secondary limit for its retry-after;
 * past the longest wait, one line says which limit and when it resets. Every request is counted.
 */
import { describe, expect, it } from '@jest/globals';
import { createRemote, seedRepository } from '@rollgate/testbed';
import { inProcessGitHub } from '@rollgate/testbed/in-process';
import { apiFooter, apiStats } from '../src/index.js';

const remote = createRemote();
seedRepository(remote);

describe('the GitHub client under rate limits (emulator)', () => {
  it('sends GETs as conditional requests: an unchanged answer is a 304, served from the kept body, free', async () => {
    const { gh, emulator } = inProcessGitHub(remote, { limits: {} });
    const repo = { owner: emulator.owner, repo: emulator.repo };
    const first = await gh.rest.repos.listDeployments({ ...repo, environment: 'production' });
    const second = await gh.rest.repos.listDeployments({ ...repo, environment: 'production' });
    expect(second.data).toEqual(first.data);
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 304]);
    const stats = apiStats(gh);
    expect(stats).toMatchObject({ requests: 2, notModified: 1, writes: 0 });
    // The 304 did not count: one request used of 5,000.
    expect(stats.rateLimit).toMatchObject({ limit: 5000, remaining: 4999 });
    // A change makes the next answer a 200 again.
    await gh.rest.repos.createDeployment({ ...repo, ref: 'main', environment: 'production', required_contexts: [] });
    const third = await gh.rest.repos.listDeployments({ ...repo, environment: 'production' });
    expect(third.data).toHaveLength(1);
    expect(apiFooter(apiStats(gh))).toBe(
      'GitHub API: 4 request(s) (1 answered 304 Not Modified, free against the rate limit), 1 write(s); 4997 of 5000 left this hour.',
    );
  });

  it('waits for the primary limit to reset, then goes on', async () => {
    const { gh, emulator } = inProcessGitHub(remote, {
      limits: { otherTokenPerWindow: 3, windowMs: 1500 },
      client: { rateLimitRetries: 3, retryUnitMs: 1000, paceWrites: true },
    });
    const repo = { owner: emulator.owner, repo: emulator.repo };
    const started = Date.now();
    // Five different reads (a conditional request answered 304 would not count).
    for (let i = 0; i < 5; i += 1) await gh.rest.repos.listDeployments({ ...repo, environment: `e${i}` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(emulator.limits?.refused.map((r) => r.kind)).toEqual(['primary']);
    expect(emulator.requests.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('stops with one line naming the limit and its reset when waiting would be too long', async () => {
    const { gh, emulator } = inProcessGitHub(remote, {
      limits: { otherTokenPerWindow: 2, windowMs: 3_600_000 },
      client: { maxRateLimitWait: 60 },
    });
    const repo = { owner: emulator.owner, repo: emulator.repo };
    await gh.rest.repos.listDeployments({ ...repo, environment: 'a' });
    await gh.rest.repos.listDeployments({ ...repo, environment: 'b' });
    await expect(gh.rest.repos.listDeployments({ ...repo, environment: 'c' })).rejects.toThrow(
      /^GitHub's API rate limit for this token is used up \(2 of 2 core requests this hour; resets at \d{4}-\d\d-\d\dT[\d:.]+Z\), and waiting for it would exceed 1m: run the job again after the reset\./,
    );
  });

  it('waits out a secondary limit on writes for its retry-after', async () => {
    const { gh, emulator } = inProcessGitHub(remote, {
      limits: { writesPerMinute: 2, writeWindowMs: 3000 },
      client: { retryUnitMs: 1000, paceWrites: true },
    });
    const repo = { owner: emulator.owner, repo: emulator.repo };
    for (let i = 0; i < 3; i += 1)
      await gh.rest.repos.createDeployment({ ...repo, ref: 'main', environment: 'staging', required_contexts: [] });
    expect(emulator.limits?.refused.map((r) => r.kind)).toEqual(['secondary']);
    expect(emulator.state.deployments).toHaveLength(3);
    expect(apiStats(gh).writes).toBe(4);
  });
});
