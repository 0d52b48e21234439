/**
 * What one action spends of GitHub's API, and the two things that keep it small:
 * - every HTTP request counted at the transport (retries included), 304s apart: a conditional
 *   request answered 304 does not count against the primary rate limit when it is authorised
 *   (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate);
 * - conditional GETs: the ETag of every answer is kept and sent back as If-None-Match, and a
 *   304 is answered from the kept body, so a wait that polls the same records costs nothing
 *   against the limit while nothing changes. ETags are tied to the token, so the cache lives as
 *   long as the client (one job's token).
 */

export interface ApiStats {
  /** HTTP requests sent (each retry counts). */
  requests: number;
  /** Of those, answered 304 Not Modified (free against the primary limit). */
  notModified: number;
  /** Content-creating requests (POST, PATCH, PUT, DELETE): GitHub's secondary limits count these. */
  writes: number;
  /** The primary limit's headers as last seen: what is left, of how many, until when (epoch s). */
  rateLimit?: { limit: number; remaining: number; reset: number; resource: string };
}

/** Counts each request a fetch sends, and reads the rate-limit headers of each answer. */
export function countingFetch(inner: typeof fetch, stats: ApiStats): typeof fetch {
  return async (input, init) => {
    stats.requests += 1;
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') stats.writes += 1;
    const res = await inner(input, init);
    if (res.status === 304) stats.notModified += 1;
    const limit = Number(res.headers.get('x-ratelimit-limit'));
    const remaining = Number(res.headers.get('x-ratelimit-remaining'));
    if (res.headers.has('x-ratelimit-remaining') && Number.isFinite(limit) && Number.isFinite(remaining))
      stats.rateLimit = {
        limit,
        remaining,
        reset: Number(res.headers.get('x-ratelimit-reset')) || 0,
        resource: res.headers.get('x-ratelimit-resource') ?? 'core',
      };
    return res;
  };
}

interface Kept {
  etag: string;
  response: unknown;
}

/** How many answers the conditional cache keeps (least recently used go first). */
const KEPT = 500;

/**
 * Octokit's request hook for conditional GETs: sends back the ETag of the answer kept for the
 * same URL and returns that answer on 304. Only GETs, only answers with an ETag.
 */
export function conditionalRequests() {
  const kept = new Map<string, Kept>();
  return async (
    request: (options: Record<string, unknown>) => Promise<{ headers: Record<string, string | undefined> }>,
    options: Record<string, unknown> & { method?: string; url?: string; headers?: Record<string, string> },
    key: string,
  ) => {
    if ((options.method ?? 'GET').toUpperCase() !== 'GET') return request(options);
    const hit = kept.get(key);
    // Octokit's hooks share one options object (each inner hook is bound to it): set the header on it.
    if (hit) options.headers = { ...options.headers, 'if-none-match': hit.etag };
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      kept.delete(key);
      if (etag) {
        kept.set(key, { etag, response });
        if (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
      }
      return response;
    } catch (error) {
      if (hit && (error as { status?: number }).status === 304) {
        kept.delete(key);
        kept.set(key, hit);
        return hit.response as { headers: Record<string, string | undefined> };
      }
      throw error;
    }
  };
}

/** The footer line of a summary: what the action asked of GitHub's API. */
export function apiFooter(stats: ApiStats): string {
  const free = stats.notModified
    ? ` (${stats.notModified} answered 304 Not Modified, free against the rate limit)`
    : '';
  const left = stats.rateLimit ? `; ${stats.rateLimit.remaining} of ${stats.rateLimit.limit} left this hour` : '';
  return `GitHub API: ${stats.requests} request(s)${free}, ${stats.writes} write(s)${left}.`;
}
