/**
 * The environment chain end to end (chain-road.ts): one build carried from staging into
 * production under the promotion rules, production behind a required reviewer and a wait
 * timer, a bad release stopped in staging, and the promotions GitHub's runner would run by
 * hand refused with the rule they break.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstFailure } from '@rollgate/testbed';
import { runChainRoad, type ChainRoad } from '../../roads/pipeline/chain-road.js';

let road: ChainRoad;
const log: string[] = [];
beforeAll(async () => {
  road = await runChainRoad((line) => log.push(line));
}, 600_000);
afterAll(() => {
  expect(road.gh.violations).toEqual([]);
});

type Deployment = { id: number; payload: Record<string, unknown> };
const records = (environment: string) =>
  road.gh.state.deployments
    .filter((d) => d.environment === environment)
    .map((d) => ({ id: d.id, payload: d.payload as Record<string, unknown> }) as Deployment);

const live = (w: ChainRoad['weights']['staging']) =>
  Object.values(w)
    .filter((x) => x.weight > 0)
    .map((x) => x.version);
const artifactOf = (d: Deployment | undefined) => (d?.payload.artifact as { digest?: string } | undefined)?.digest;
const text = () => log.join('\n');
/** A run's conclusion with its first failing step (in the workflows it called), so a failing test says why. */
const ended = (run: keyof ChainRoad['runs']) => ({
  run,
  conclusion: road.runs[run].conclusion,
  failure: firstFailure(road.runs[run].jobs),
});
const succeeded = (run: keyof ChainRoad['runs']) => ({ run, conclusion: 'success', failure: undefined });

describe('one build through staging, then production', () => {
  it('carries v0.1.0 into production after an approval, the artifact staging runs, recorded where it came from', () => {
    expect(text()).toContain('waiting for the protection rules of production');
    expect(ended('first')).toEqual(succeeded('first'));
    expect(road.runs.first.jobs.production?.outputs).toMatchObject({ outcome: 'promoted', version: '0.1.0' });
    const [staged] = records('staging').filter((d) => d.payload.version === '0.1.0');
    const [carried] = records('production').filter((d) => d.payload.version === '0.1.0');
    expect(artifactOf(carried)).toBe(artifactOf(staged));
    expect(carried?.payload.promoted_from).toEqual({ environment: 'staging', deployment_id: staged?.id });
    expect(text()).toMatch(
      /Promotion admitted: 0\.1\.0 is live in staging \(deployment \d+\) since \S+, \d+s ≥ soak 10s, artifact sha256:/,
    );
    expect(text()).toMatch(/Soak checks: check 'staging-errors' over the last 10s in staging: 0 within bounds\./);
  });

  it('keeps production on v0.1.0 when its reviewer rejects v0.1.1, which stays live in staging', () => {
    expect(road.runs.second.conclusion).toBe('failure');
    expect(road.runs.second.jobs.staging?.conclusion).toBe('success');
    expect(road.reviews).toContainEqual(expect.objectContaining({ state: 'rejected' }));
    expect(text()).toContain(
      'The deployment to production was rejected by release-manager: change freeze until Monday.',
    );
    expect(live(road.weights.afterFreeze)).toEqual(['0.1.0']);
  });

  it('stops the bad v0.1.2 in staging: production never runs it', () => {
    expect(road.runs.bad.conclusion).toBe('failure');
    expect(road.runs.bad.jobs.production?.conclusion).toBe('skipped');
    expect(records('production').some((d) => d.payload.version === '0.1.2')).toBe(false);
  });

  it('refuses to carry v0.1.2 by hand: it is not live in staging', () => {
    expect(road.runs.carryBad.conclusion).toBe('failure');
    expect(text()).toMatch(
      /Promotion refused \(rule: live in staging first\): 0\.1\.2 is not live in staging: its newest record there \(deployment \d+\) is (failure|error), and 0\.1\.1 is live/,
    );
  });

  it('refuses a carry whose soak has not passed, and says from when it may go', () => {
    expect(road.runs.carryEarly.conclusion).toBe('failure');
    expect(text()).toMatch(
      /Promotion refused \(rule: soak 1h\): 0\.1\.1 has been live in staging for .+; it may be promoted from \d{4}-\d\d-\d\dT/,
    );
  });

  it('carries v0.1.1 by hand once approved, at its own commit, and rollback trusts that record', () => {
    expect(ended('carried')).toEqual(succeeded('carried'));
    expect(live(road.weights.afterCarry)).toEqual(['0.1.1']);
    const [staged] = records('staging').filter((d) => d.payload.version === '0.1.1');
    const [carried] = records('production').filter((d) => d.payload.version === '0.1.1');
    const sha = (d: Deployment | undefined) => road.gh.state.deployments.find((x) => x.id === d?.id)?.sha;
    // The run's head is v0.1.2's commit by now; the record is at 0.1.1's, where its artifact was built.
    expect(sha(carried)).toBe(sha(staged));
    expect(artifactOf(carried)).toBe(artifactOf(staged));
    expect(road.runs.rollback.conclusion).toBe('success');
    expect(live(road.weights.production)).toEqual(['0.1.0']);
    expect(text()).not.toMatch(/Deployment \d+ in production is not trusted/);
  });
});
