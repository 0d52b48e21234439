/**
 * The one Octokit factory of the suite: retries 5xx and network errors, waits out
 * rate limits (403/429 with retry-after), never retries 422 or other client errors,
 * and masks the token before anything can print it.
 */
import { actionsLogger, type Logger } from '@rollgate/kit';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export type GitHub = ReturnType<typeof getOctokit>;

export interface ClientOptions {
  token: string;
  /** The REST API's root (the action passes GITHUB_API_URL: GitHub Enterprise Server differs); default https://api.github.com. */
  baseUrl?: string;
  /** Retries of a 5xx or network failure (default 3). */
  retries?: number;
  /** Retries of a rate-limited request (default 3). */
  rateLimitRetries?: number;
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

export function createGitHub(options: ClientOptions): GitHub {
  const { token, retries = 3, rateLimitRetries = 3, retryUnitMs = 1000 } = options;
  if (!token) throw new Error('A GitHub token is required: set the github-token input (defaults to github.token).');
  const logger = options.logger ?? actionsLogger;
  logger.secret(token);
  const baseUrl = options.baseUrl ?? 'https://api.github.com';
  const limited =
    (kind: string) => (retryAfter: number, opts: { method: string; url: string }, _o: unknown, count: number) => {
      const again = count < rateLimitRetries;
      logger.warning(
        `GitHub ${kind} rate limit on ${opts.method} ${opts.url}; ${again ? `retrying after ${retryAfter}s` : 'giving up'}.`,
      );
      return again;
    };
  return getOctokit(
    token,
    {
      baseUrl,
      ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
      retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: retryUnitMs },
      throttle: {
        ...(options.paceWrites === false ? { enabled: false } : {}),
        onRateLimit: limited('primary'),
        onSecondaryRateLimit: limited('secondary'),
        retryAfterBaseValue: retryUnitMs,
      },
    },
    retry,
    throttling,
  );
}
