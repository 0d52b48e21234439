/**
 * The one Octokit factory of the suite: retries 5xx and network errors, waits out rate limits
 * (the primary limit until its reset, a secondary one for its retry-after) up to a bound and
 * then stops with one line, never retries 422 or other client errors, sends GETs as
 * conditional requests (api-budget.ts), counts every request, and masks the token before
 * anything can print it.
 */
import { ActionError, actionsLogger, formatDuration, type Logger } from '@rollgate/kit';
import { getOctokit } from '@actions/github';
import { defaults } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { conditionalRequests, countingFetch, type ApiStats } from './api-budget.js';

export type GitHub = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  token: string;
  /** The REST API's root (the action passes GITHUB_API_URL: GitHub Enterprise Server differs); default https://api.github.com. */
  baseUrl?: string;
  /** Retries of a 5xx or network failure (default 3). */
  retries?: number;
  /** Retries of a rate-limited request (default 3). */
  rateLimitRetries?: number;
  /** The longest one rate-limit wait may be, in retry units (default 900: 15 minutes); longer ends the request with one line. */
  maxRateLimitWait?: number;
  /** Base unit for the retry waits in ms (default 1000; 5xx waits 1, 4, 9 units). */
  retryUnitMs?: number;
  /** The transport (default: Node's fetch); tests pass the GitHub emulator's in-process fetch. */
  fetch?: typeof fetch;
  /**
   * Pace writes as GitHub asks (one at a time, about a second apart, against its secondary
   * rate limits: https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
   * Default on; off only against the emulator, which has no such limit.
   */
  paceWrites?: boolean;
  /** Where the token is masked and rate-limit waits are said (default: the runner's log). */
  logger?: Logger;
}

/** Client errors that must not be retried; 403/429 rate limits go to the throttling plugin. */
export const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];

const STATS = new WeakMap<object, ApiStats>();

/** The requests a client made so far (every client from createGitHub has them). */
export function apiStats(gh: GitHub): ApiStats {
  return STATS.get(gh) ?? { requests: 0, notModified: 0, writes: 0 };
}

export function createGitHub(options: ClientOptions): GitHub {
  const { token, retries = 3, rateLimitRetries = 3, retryUnitMs = 1000, maxRateLimitWait = 900 } = options;
  if (!token) throw new Error('A GitHub token is required: set the github-token input (defaults to github.token).');
  const logger = options.logger ?? actionsLogger;
  logger.secret(token);
  const baseUrl = options.baseUrl ?? 'https://api.github.com';
  const limited =
    (kind: string) => (retryAfter: number, opts: { method: string; url: string }, _o: unknown, count: number) => {
      const again = count < rateLimitRetries && retryAfter <= maxRateLimitWait;
      logger.warning(
        `GitHub ${kind} rate limit on ${opts.method} ${opts.url}; ${again ? `retrying after ${retryAfter}s` : 'giving up'}.`,
      );
      return again;
    };
  const stats: ApiStats = { requests: 0, notModified: 0, writes: 0 };
  const gh = getOctokit(
    token,
    {
      baseUrl,
      // The runner's proxy settings stay (@actions/github's own fetch); every request is counted.
      request: {
        ...(options.fetch ? {} : { agent: defaults.request?.agent }),
        fetch: countingFetch(options.fetch ?? (defaults.request?.fetch as typeof fetch), stats),
      },
      retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: retryUnitMs },
      throttle: {
        ...(options.paceWrites === false ? { enabled: false } : {}),
        onRateLimit: limited('primary'),
        onSecondaryRateLimit: limited('secondary'),
        retryAfterBaseValue: retryUnitMs,
      },
    },
    // Without retries, no retry plugin: its scheduler costs ~5 ms a request (the in-process emulator's tests).
    ...(retries > 0 ? [retry] : []),
    throttling,
  );
  STATS.set(gh, stats);
  const conditional = conditionalRequests();
  gh.hook.wrap('request', async (request, opts) => {
    const { method, url } = gh.request.endpoint.parse(opts as Parameters<typeof gh.request.endpoint.parse>[0]);
    try {
      return (await conditional(request as never, opts as never, `${method} ${url}`)) as never;
    } catch (error) {
      throw rateLimitError(error, retryUnitMs * maxRateLimitWait) ?? error;
    }
  });
  return gh;
}

/**
 * A request the rate limit still refuses after the waits: one line saying which limit, when it
 * resets and what to do (the throttling plugin gave up: too many tries or too long a wait).
 */
function rateLimitError(error: unknown, maxWaitMs: number): ActionError | undefined {
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string> } };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  if (/secondary rate/i.test(e.message ?? ''))
    return new ActionError(
      `GitHub's secondary rate limit refused this job's requests (too many writes in a short time; retry-after ${headers['retry-after'] ?? 'not given'}s) after waiting up to ${formatDuration(maxWaitMs)}: run the job again later.`,
    );
  if (headers['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']) * 1000;
  return new ActionError(
    `GitHub's API rate limit for this token is used up (${headers['x-ratelimit-used'] ?? '?'} of ${headers['x-ratelimit-limit'] ?? '?'} ${headers['x-ratelimit-resource'] ?? 'core'} requests this hour; resets at ${Number.isFinite(reset) ? new Date(reset).toISOString() : 'an unknown time'}), and waiting for it would exceed ${formatDuration(maxWaitMs)}: run the job again after the reset. GITHUB_TOKEN's limit is shared by every workflow of the repository.`,
  );
}
