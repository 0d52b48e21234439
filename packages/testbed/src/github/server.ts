/**
 * GitHub REST emulator: a local HTTP server on 127.0.0.1 for the endpoints the suite
 * uses. Refs and commits come from a real bare git repository (the "remote"); every
 * response is checked against GitHub's OpenAPI description; faults can be injected per route.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkResponse, type Violation } from './openapi.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes instead of JSON (asset and artifact downloads). */
  raw?: Buffer;
}

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  json(): Record<string, unknown>;
}

export type Handler = (req: Request) => Reply | Promise<Reply>;

export interface Fault {
  method?: string;
  /** OpenAPI path template (e.g. /repos/{owner}/{repo}/releases) or a RegExp on the URL path. */
  route: string | RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Answer with this status (500, 502, 429, 403...). */
  status?: number;
  /** For 429/403: the retry-after header, seconds. */
  retryAfter?: number;
  /** For 403: a secondary rate limit message (default for 403 and 429). */
  message?: string;
  /** Wait this long before answering (or before the real answer when no status is set). */
  delayMs?: number;
  /** Close the connection without answering. */
  drop?: boolean;
}

export interface Logged {
  method: string;
  path: string;
  route: string;
  status: number;
}

interface Route {
  method: string;
  template: string;
  /** The OpenAPI operation to validate against, when it differs from template (uploads). */
  operation: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
}

export class HttpEmulator {
  readonly requests: Logged[] = [];
  readonly violations: Violation[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: (Fault & { left: number })[] = [];
  private server: Server | undefined;
  url = '';

  /** Registers a handler for an OpenAPI path template; later registrations win. */
  route(
    method: string,
    template: string,
    handler: Handler,
    options: { prefix?: string; validate?: boolean } = {},
  ): void {
    const names: string[] = [];
    const pattern = (options.prefix ?? '') + template;
    const regex = new RegExp(
      '^' +
        pattern.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
          names.push(name);
          return name === 'ref' || name === 'basehead' ? '(.+)' : '([^/]+)';
        }) +
        '$',
    );
    this.routes.unshift({
      method,
      template,
      operation: options.validate === false ? '' : template,
      regex,
      names,
      handler,
    });
  }

  /** A reply refusing the request before its handler runs (permissions, rate limits), or undefined to go on. */
  protected authorize(_method: string, _template: string, _headers: IncomingMessage['headers']): Reply | undefined {
    return undefined;
  }

  /** The reply as sent, after its handler and the OpenAPI check (rate-limit headers, conditional requests). */
  protected finish(_method: string, _headers: IncomingMessage['headers'], reply: Reply): Reply {
    return reply;
  }

  fault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Calls made to a route template (or all), for asserting API budgets. */
  calls(filter?: { method?: string; route?: string }): Logged[] {
    return this.requests.filter(
      (r) => (!filter?.method || r.method === filter.method) && (!filter?.route || r.route === filter.route),
    );
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((ok) => this.server?.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server?.close(() => ok()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = await this.dispatch(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks));
    if (!reply) {
      req.socket.destroy();
      return;
    }
    const headers = replyHeaders(reply);
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, headers);
      res.end(reply.raw);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      res.writeHead(reply.status, headers);
      res.end(JSON.stringify(reply.body));
    }
  }

  /**
   * The emulator without a socket: a fetch() for Octokit's `request.fetch`, answering from the
   * same routes, faults, permission checks and OpenAPI validation as the HTTP server. Unit
   * tests of the rollouts' state machines use it (no port, no event-loop turn per request).
   */
  readonly fetch = async (input: string | URL | globalThis.Request, init?: RequestInit): Promise<Response> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    let method = init?.method ?? 'GET';
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    let body =
      init?.body === undefined || init.body === null
        ? Buffer.alloc(0)
        : typeof init.body === 'string'
          ? Buffer.from(init.body)
          : Buffer.from(await new Response(init.body).arrayBuffer());
    // Redirects are followed as fetch does (https://fetch.spec.whatwg.org/#http-redirect-fetch):
    // 303, and 301/302 after a POST, become a GET without a body; Authorization is dropped
    // when the origin changes. GitHub answers an asset download with a 302.
    for (let hops = 0; ; hops++) {
      const reply = await this.dispatch(method, `${url.pathname}${url.search}`, headers, body);
      if (!reply)
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
        });
      const location = reply.headers?.location;
      if (location && [301, 302, 303, 307, 308].includes(reply.status) && init?.redirect !== 'manual' && hops < 20) {
        const next = new URL(location, url);
        if (reply.status === 303 || ((reply.status === 301 || reply.status === 302) && method === 'POST')) {
          method = 'GET';
          body = Buffer.alloc(0);
        }
        if (next.origin !== url.origin) delete headers.authorization;
        url = next;
        continue;
      }
      const payload =
        reply.raw !== undefined
          ? new Uint8Array(reply.raw)
          : reply.body === undefined
            ? null
            : JSON.stringify(reply.body);
      return new Response(reply.status === 204 || reply.status === 304 ? null : payload, {
        status: reply.status,
        headers: replyHeaders(reply),
      });
    }
  };

  /** Answers one request; undefined when a fault drops the connection. */
  private async dispatch(
    method: string,
    rawUrl: string,
    reqHeaders: IncomingMessage['headers'],
    body: Buffer,
  ): Promise<Reply | undefined> {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of this.routes) {
      if (r.method !== method) continue;
      match = r.regex.exec(url.pathname);
      if (match) {
        route = r;
        break;
      }
    }
    const template = route?.template ?? path;
    const fault = this.takeFault(method, template, path);
    if (fault?.delayMs) await new Promise((ok) => setTimeout(ok, fault.delayMs));
    if (fault?.drop) {
      this.requests.push({ method, path, route: template, status: 0 });
      return undefined;
    }
    let reply: Reply;
    if (fault?.status) {
      reply = faultReply(fault);
    } else if (!route || !match) {
      reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    } else {
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match?.[i + 1] ?? '')]));
      const request: Request = {
        method,
        path,
        params,
        query: url.searchParams,
        headers: reqHeaders,
        body,
        json: () => (body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {}),
      };
      try {
        reply = this.authorize(method, route.operation || route.template, reqHeaders) ?? (await route.handler(request));
      } catch (error) {
        reply = { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
      }
      if (route.operation && reply.raw === undefined) {
        const problem = checkResponse(method, route.operation, reply.status, reply.body);
        if (problem) this.violations.push({ method, path, status: reply.status, errors: problem });
      }
      reply = this.finish(method, reqHeaders, reply);
    }
    this.requests.push({ method, path, route: template, status: reply.status });
    return reply;
  }

  private takeFault(method: string, template: string, path: string): Fault | undefined {
    const f = this.faults.find(
      (x) =>
        x.left > 0 &&
        (!x.method || x.method === method) &&
        (typeof x.route === 'string' ? x.route === template : x.route.test(path)),
    );
    if (f) f.left -= 1;
    return f;
  }
}

function replyHeaders(reply: Reply): Record<string, string> {
  const headers: Record<string, string> = { 'x-github-api-version-selected': '2022-11-28', ...reply.headers };
  if (reply.raw !== undefined)
    return { 'content-type': 'application/octet-stream', 'content-length': String(reply.raw.length), ...headers };
  if (reply.body !== undefined) return { 'content-type': 'application/json; charset=utf-8', ...headers };
  return headers;
}

function faultReply(f: Fault): Reply {
  const status = f.status as number;
  const headers: Record<string, string> = {};
  if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
  const limited = status === 429 || status === 403;
  const message =
    f.message ??
    (limited
      ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
      : 'Server Error');
  return { status, headers, body: { message, documentation_url: 'https://docs.github.com/rest' } };
}
