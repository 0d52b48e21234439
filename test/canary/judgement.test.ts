/**
 * Canary judgement under real failure modes, over a real nginx and Prometheus: a canary that
 * dies mid-step, a metrics source that dies or slows down, cancellation during a query, two
 * canaries started together. Each ends safe: never promoted on stale or missing data, never
 * holding traffic past its step, never two rollouts at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLoad, startPrometheus, startService, type Proc } from '@rollgate/testbed';
import { STABLE, loadDuring, startStack, warmUp, type Stack } from '../../roads/canary/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ '1.5.0': {}, '1.6.0': {}, '1.7.0': {}, '1.8.0': {}, '1.9.0': {} });
}, 90_000);
afterAll(async () => {
  const violations = stack.gh.violations.splice(0);
  await stack.stop();
  expect(violations).toEqual([]);
});

const descriptionsOf = (environment: string) => {
  const ids = stack.gh.state.deployments.filter((d) => d.environment === environment).map((d) => d.id);
  return stack.gh.state.statuses.filter((s) => ids.includes(s.deploymentId)).map((s) => `${s.state}: ${s.description}`);
};

/** A metrics source that answers like Prometheus, `delayMs` late. */
async function slowProxy(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const t = setTimeout(async () => {
      pending.delete(t);
      try {
        const upstream = await fetch(`${target}${req.url}`);
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      } catch {
        res.destroy();
      }
    }, delayMs);
    pending.add(t);
    req.on('close', () => (clearTimeout(t), pending.delete(t)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const t of pending) clearTimeout(t);
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

describe('canary judgement under failure', () => {
  // steps 25,50,100 with 4 s steps: 25% from ~0.4 s, 50% from ~4.5 s, promotion at ~8.5 s (a loaded
  // machine can start later: a kill before the first move is caught there).
  it.each([
    ['the first step', '1.5.0', 2500, 'k-first'],
    ['the last judged step', '1.6.0', 6000, 'k-last'],
  ])(
    'a canary killed during %s never reaches the next weight',
    async (_when, version, killAt, environment) => {
      await stack.seed(environment, STABLE);
      const victim = stack.services[version] as Proc;
      let kill: NodeJS.Timeout | undefined;
      try {
        const { result: r } = await loadDuring(stack, () => {
          kill = setTimeout(() => victim.child.kill('SIGKILL'), killAt);
          return stack.canary({ version, environment });
        });
        expect(r.outputs.outcome).toBe('aborted');
        expect(r.outputs.reason).toMatch(
          /the canary does not answer before (25|50|100)%|the last reading of the canary before the next move was no data|no data for canary/,
        );
        const history = descriptionsOf(environment);
        expect(history.some((d) => d.startsWith('success: promoted'))).toBe(false);
        if (killAt < 4000) expect(history.some((d) => d.includes('canary 50%'))).toBe(false);
        expect(stack.upstream()).not.toContain('# canary');
      } finally {
        clearTimeout(kill);
      }
    },
    60_000,
  );

  it('a metrics source that dies during the last judged step stops the promotion, whatever the inconclusive limit', async () => {
    await stack.seed('p-down', STABLE);
    const targets = [stack.services[STABLE], stack.services['1.7.0']] as Proc[];
    const own = await startPrometheus(targets.map((t) => t.address));
    await warmUp(own.url, targets);
    const killer = setTimeout(() => void own.stop(), 6000);
    try {
      const { result: r } = await loadDuring(stack, () =>
        stack.canary({
          version: '1.7.0',
          environment: 'p-down',
          'prometheus-url': own.url,
          'inconclusive-limit': '50',
        }),
      );
      expect(r.outputs.outcome).toBe('aborted');
      expect(r.outputs.reason).toMatch(
        /the last reading of the (canary|stable) before the next move was metrics source unreachable/,
      );
      expect(stack.upstream()).not.toContain('# canary');
    } finally {
      clearTimeout(killer);
      await own.stop();
    }
  }, 60_000);

  it('a metrics source answering after 12 s cannot stretch a 4 s step: the step ends by its deadline plus one timeout', async () => {
    await stack.seed('slow', STABLE);
    const proxy = await slowProxy(stack.prometheus.url, 12_000);
    try {
      const r = await stack.canary({
        version: '1.8.0',
        environment: 'slow',
        'prometheus-url': proxy.url,
        steps: '25,100',
      });
      expect(r.outputs.outcome).toBe('aborted');
      // Before: about 95 s at 25% (every read waited its full timeout, retries included).
      expect(r.durationMs).toBeLessThan(4000 + 10_000 + 8000);
      expect(stack.upstream()).not.toContain('# canary');
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('SIGINT during a metrics query ends the main step at once; the post step restores traffic', async () => {
    await stack.seed('sigint', STABLE);
    const proxy = await slowProxy(stack.prometheus.url, 30_000);
    try {
      const r = await stack.canary(
        { version: '1.8.0', environment: 'sigint', 'prometheus-url': proxy.url },
        { cancelAfterMs: 2500 },
      );
      expect(r.cancelled).toBe(true);
      // The runner sends SIGINT at 2.5 s and SIGTERM 7.5 s later: the step must end on the SIGINT.
      expect(r.durationMs).toBeLessThan(2500 + 3000);
      expect(r.post?.exitCode).toBe(0);
      expect(stack.upstream()).not.toContain('# canary');
      expect(descriptionsOf('sigint').at(-1)).toBe('failure: cancelled at 25%: traffic back on 1.0.0');
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it.each([1, 2, 3])(
    'two canaries started together (round %i): one rolls out, the other withdraws before touching traffic',
    async (round) => {
      const environment = `race-${round}`;
      await stack.seed(environment, STABLE);
      const [a, b] = await Promise.all([
        stack.canary({ version: '1.9.0', environment, steps: '25,100' }),
        stack.canary({ version: '1.7.0', environment, steps: '25,100' }),
      ]);
      const results = [a, b];
      const losers = results.filter(
        (r) => r.exitCode === 1 && /got there first|is still in progress/.test(r.error ?? ''),
      );
      const winners = results.filter((r) => r.outputs.outcome === 'promoted' || r.outputs.outcome === 'aborted');
      expect({ winners: winners.length, losers: losers.length }).toEqual({ winners: 1, losers: 1 });
      // The loser never moved traffic: no step of its version was ever recorded.
      const loserVersion = losers[0] === a ? '1.9.0' : '1.7.0';
      expect(descriptionsOf(environment).filter((d) => d.includes(`${loserVersion} vs`))).toEqual([]);
      expect(stack.upstream()).not.toContain('# canary');
    },
    60_000,
  );

  it.each([
    [
      2,
      'aborted',
      /^only \d+ request\(s\) reached the canary in .* \(min-requests 3, max-step-wait 12s\); failing closed$/,
    ],
    [40, 'promoted', undefined],
  ])(
    'low traffic at %i requests/s: min-requests waits for enough canary requests, then judges or aborts',
    async (rps, outcome, reason) => {
      const environment = `low-${rps}`;
      await stack.seed(environment, STABLE);
      const load = startLoad(`http://${stack.nginx.address}/`, rps, 60_000);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const r = await stack.canary({
          version: '1.9.0',
          environment,
          steps: '5,100',
          'min-requests': '3',
          'requests-query': 'sum(http_requests_total{version="{{version}}"})',
          'max-step-wait': '12s',
        });
        expect(r.outputs.outcome).toBe(outcome);
        if (reason) expect(r.outputs.reason).toMatch(reason);
      } finally {
        await load.stop();
      }
      expect(stack.upstream()).toContain(
        outcome === 'promoted' ? 'weight=100; # canary 1.9.0' : 'weight=100; # stable 1.0.0',
      );
    },
    60_000,
  );

  it('a canary twice as slow as stable is caught at the first step with the default samples and significance', async () => {
    const slow = await startService('2.0.0', { latencyMs: 40 });
    const slower = await startService('2.1.0', { latencyMs: 80 });
    stack.services['2.0.0'] = slow;
    stack.services['2.1.0'] = slower;
    const own = await startPrometheus([slow.address, slower.address]);
    try {
      await warmUp(own.url, [slow, slower]);
      await stack.seed('twice', '2.0.0');
      const { result: r } = await loadDuring(stack, () =>
        stack.canary({
          version: '2.1.0',
          environment: 'twice',
          'prometheus-url': own.url,
          'stable-address': slow.address,
          steps: '5,25,50,100',
          samples: '5',
          significance: '0.05',
        }),
      );
      expect(r.outputs.outcome).toBe('aborted');
      expect(r.outputs.reason).toMatch(/^latency-p90 0\.0\d+ vs stable 0\.0\d+ \(> \+50%, p=/);
      expect(descriptionsOf('twice').some((d) => d.includes('canary 25%'))).toBe(false);
      expect(stack.upstream()).not.toContain('# canary');
    } finally {
      await own.stop();
      await Promise.all([slow.stop(), slower.stop()]);
    }
  }, 60_000);

  it('warns when an error-rate or latency check only compares with stable', async () => {
    await stack.seed('warn', STABLE);
    const r = await stack.canary({ version: '1.9.0', environment: 'warn', 'dry-run': 'true' });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/^Check 'latency-p90' only compares the canary with the version it replaces/),
      }),
    );
  }, 60_000);
});
