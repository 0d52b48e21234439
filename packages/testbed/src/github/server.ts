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
  route(method: string, template: string, handler: Handler, options: { prefix?: string; validate?: boolean } = {}): void {
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
    this.routes.unshift({ method, template, operation: options.validate === false ? '' : template, regex, names, handler });
  }

  /** A reply refusing the request before its handler runs (permissions), or undefined to go on. */
  protected authorize(_method: string, _template: string, _headers: IncomingMessage['headers']): Reply | undefined {
    return undefined;
  }

  fault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Calls made to a route template (or all), for asserting API budgets. */
  calls(filter?: { method?: string; route?: string }): Logged[] {
    return this.requests.filter((r) => (!filter?.method || r.method === filter.method) && (!filter?.route || r.route === filter.route));
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
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
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
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (fault?.status) {
      reply = faultReply(fault);
    } else if (!route || !match) {
      reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    } else {
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match?.[i + 1] ?? '')]));
      const body = Buffer.concat(chunks);
      const request: Request = {
        method,
        path,
        params,
        query: url.searchParams,
        headers: req.headers,
        body,
        json: () => (body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {}),
      };
      try {
        reply = this.authorize(method, route.operation || route.template, req.headers) ?? (await route.handler(request));
      } catch (error) {
        reply = { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
      }
      if (route.operation && reply.raw === undefined) {
        const problem = checkResponse(method, route.operation, reply.status, reply.body);
        if (problem) this.violations.push({ method, path, status: reply.status, errors: problem });
      }
    }
    this.requests.push({ method, path, route: template, status: reply.status });
    const headers: Record<string, string> = { 'x-github-api-version-selected': '2022-11-28', ...reply.headers };
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, { 'content-type': 'application/octet-stream', 'content-length': String(reply.raw.length), ...headers });
      res.end(reply.raw);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(text);
    }
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

function faultReply(f: Fault): Reply {
  const status = f.status as number;
  const headers: Record<string, string> = {};
  if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
  const limited = status === 429 || status === 403;
  const message = f.message ?? (limited ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' : 'Server Error');
  return { status, headers, body: { message, documentation_url: 'https://docs.github.com/rest' } };
}
