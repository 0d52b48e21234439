/**
 * The GitHub emulator without a socket, for the rollouts' state-machine tests: Octokit (the
 * suite's own client) with the emulator's fetch as its transport, writes not paced (the
 * emulator has no secondary rate limit), and the environment's release records over it.
 * A subpath of its own (@rollgate/testbed/in-process): importing @actions/github fixes its
 * default API URL from GITHUB_API_URL at load, so the test bed's index must not load it early.
 */
import { Provenance, ReleaseRecords, createGitHub, type GitHub } from '@rollgate/github';
import { silentLogger, type Logger } from '@rollgate/kit';
import { GitHubEmulator } from './emulator.js';
import type { LimitSettings } from './limits.js';

export { seedHistory, type HistoryEntry, type SeededHistory } from './seed-history.js';

export interface InProcessGitHub {
  emulator: GitHubEmulator;
  gh: GitHub;
  records: ReleaseRecords;
}

export interface InProcessOptions {
  /** The client's retries of a 5xx and its unit of waiting (default: none, 1 s). */
  client?: {
    retries?: number;
    retryUnitMs?: number;
    rateLimitRetries?: number;
    maxRateLimitWait?: number;
    paceWrites?: boolean;
  };
  environment?: string;
  /** The emulator's time (a virtual clock's now), so records and runs carry the test's timestamps. */
  clock?: () => number;
  /** Trace records to their runs as the actions do (provenance.ts); default: payloads validated only. */
  provenance?: boolean;
  logger?: Logger;
  /** GitHub's rate limits (limits.ts); default none here (a state machine's thousands of requests in a moment). */
  limits?: LimitSettings;
}

export function inProcessGitHub(remote: string, options: InProcessOptions | string = {}): InProcessGitHub {
  const o = typeof options === 'string' ? { environment: options } : options;
  const emulator = new GitHubEmulator({ remote, limits: o.limits ?? false, ...(o.clock ? { clock: o.clock } : {}) });
  emulator.url = 'http://github.test';
  const gh = createGitHub({
    token: 'unit-test-token',
    baseUrl: emulator.url,
    fetch: emulator.fetch,
    retries: 0,
    paceWrites: false,
    logger: o.logger ?? silentLogger,
    ...o.client,
  });
  const repo = { owner: emulator.owner, repo: emulator.repo };
  const verifier = o.provenance ? new Provenance(gh, repo) : undefined;
  return {
    emulator,
    gh,
    records: new ReleaseRecords(gh, repo, o.environment ?? 'production', o.logger, verifier),
  };
}
