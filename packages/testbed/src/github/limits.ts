/**
 * GitHub's rate limits and conditional requests, as its REST documentation states them:
 * - Primary limit ("Rate limits for the REST API",
 *   https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api): GITHUB_TOKEN
 *   1,000 requests an hour per repository, shared by every job of the repository; a personal
 *   token 5,000 an hour. Every answer carries x-ratelimit-limit, -remaining, -used, -reset (epoch
 *   seconds) and -resource; past the limit GitHub answers 403 (or 429) with x-ratelimit-remaining 0.
 * - Secondary limits (same page, "About secondary rate limits"): at most 80 content-creating
 *   requests a minute and 500 an hour; past them 403 with a message naming the secondary rate
 *   limit and, usually, retry-after.
 * - Conditional requests ("Best practices for using the REST API",
 *   https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate):
 *   GETs answer with an etag; If-None-Match with it answers 304 Not Modified, which does not count
 *   against the primary limit when the request is authorised. ETags are tied to the token.
 * Windows are real time (the suite's client waits in real time); tests set small budgets.
 */
import { createHash } from 'node:crypto';
import type { Reply } from './server.js';

export interface LimitSettings {
  /** Requests an hour for the job tokens the runner issues (GITHUB_TOKEN), all jobs together (default 1,000). */
  jobTokenPerWindow?: number;
  /** Requests an hour for any other token (a person's, the tests' own), each apart (default 5,000). */
  otherTokenPerWindow?: number;
  /** Content-creating requests a minute per token (default 80). */
  writesPerMinute?: number;
  /** Content-creating requests an hour per token (default 500). */
  writesPerHour?: number;
  /** The primary window (default an hour; tests shorten it). */
  windowMs?: number;
  /** The secondary window for writesPerMinute (default a minute). */
  writeWindowMs?: number;
  /** What a secondary limit's retry-after says, seconds (default: until its window ends). */
  retryAfterSeconds?: number;
}

interface Bucket {
  start: number;
  used: number;
}

const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export class RateLimits {
  private readonly primary = new Map<string, Bucket>();
  private readonly minute = new Map<string, Bucket>();
  private readonly hour = new Map<string, Bucket>();
  /** Requests refused by a limit: which and when. */
  readonly refused: { kind: 'primary' | 'secondary'; method: string; route: string }[] = [];

  constructor(private readonly settings: LimitSettings = {}) {}

  /** The primary budget a token draws from: every job token of the repository shares one. */
  private key(token: string, isJobToken: boolean): string {
    return isJobToken ? 'GITHUB_TOKEN' : `token:${token}`;
  }

  private limit(isJobToken: boolean): number {
    return isJobToken ? (this.settings.jobTokenPerWindow ?? 1000) : (this.settings.otherTokenPerWindow ?? 5000);
  }

  private bucket(map: Map<string, Bucket>, key: string, windowMs: number, now: number): Bucket {
    let b = map.get(key);
    if (!b || now >= b.start + windowMs) {
      b = { start: now, used: 0 };
      map.set(key, b);
    }
    return b;
  }

  /** A refusal before the handler runs (a limit used up), or undefined to go on. */
  check(method: string, route: string, token: string, isJobToken: boolean): Reply | undefined {
    if (!token) return undefined;
    const now = Date.now();
    const windowMs = this.settings.windowMs ?? 3_600_000;
    const p = this.bucket(this.primary, this.key(token, isJobToken), windowMs, now);
    if (p.used >= this.limit(isJobToken)) {
      this.refused.push({ kind: 'primary', method, route });
      return {
        status: 403,
        headers: this.headers(p, isJobToken, windowMs),
        body: {
          message: isJobToken
            ? 'API rate limit exceeded for installation ID 1.'
            : 'API rate limit exceeded for user ID 1.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
        },
      };
    }
    if (!WRITE.has(method)) return undefined;
    const m = this.bucket(this.minute, token, this.settings.writeWindowMs ?? 60_000, now);
    const h = this.bucket(this.hour, token, windowMs, now);
    const perMinute = m.used < (this.settings.writesPerMinute ?? 80);
    if (perMinute && h.used < (this.settings.writesPerHour ?? 500)) return undefined;
    this.refused.push({ kind: 'secondary', method, route });
    const ends = perMinute ? h.start + windowMs : m.start + (this.settings.writeWindowMs ?? 60_000);
    const retryAfter = this.settings.retryAfterSeconds ?? Math.max(1, Math.ceil((ends - now) / 1000));
    return {
      status: 403,
      headers: { ...this.headers(p, isJobToken, windowMs), 'retry-after': String(retryAfter) },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      },
    };
  }

  /**
   * After the handler: a GET answered with an etag, 304 when the caller sent it back (free); the
   * request counted (a 304 is not); every answer with the primary limit's headers.
   */
  finish(method: string, token: string, isJobToken: boolean, ifNoneMatch: string | undefined, reply: Reply): Reply {
    if (!token) return reply;
    const windowMs = this.settings.windowMs ?? 3_600_000;
    const now = Date.now();
    const p = this.bucket(this.primary, this.key(token, isJobToken), windowMs, now);
    let out = reply;
    if (method === 'GET' && reply.status === 200 && reply.body !== undefined && reply.raw === undefined) {
      const etag = `W/"${createHash('sha1').update(token).update(JSON.stringify(reply.body)).digest('hex')}"`;
      out = { ...reply, headers: { ...reply.headers, etag } };
      if (ifNoneMatch === etag)
        return { status: 304, headers: { ...reply.headers, etag, ...this.headers(p, isJobToken, windowMs) } };
    }
    if (reply.status !== 403 || !reply.headers?.['x-ratelimit-remaining']) {
      p.used += 1;
      if (WRITE.has(method)) {
        this.bucket(this.minute, token, this.settings.writeWindowMs ?? 60_000, now).used += 1;
        this.bucket(this.hour, token, windowMs, now).used += 1;
      }
    }
    return { ...out, headers: { ...out.headers, ...this.headers(p, isJobToken, windowMs) } };
  }

  private headers(b: Bucket, isJobToken: boolean, windowMs: number): Record<string, string> {
    const limit = this.limit(isJobToken);
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - b.used)),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-reset': String(Math.ceil((b.start + windowMs) / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Requests counted against the job tokens' shared budget in the current window. */
  get jobTokenUsed(): number {
    return this.primary.get('GITHUB_TOKEN')?.used ?? 0;
  }
}
