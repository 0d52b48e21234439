/**
 * Whether a target answers, and what it says it runs: a TCP connection to its address, or a
 * health URL that must answer 2xx. The service may report its version there (the contract in
 * the README): the `x-version` header, or a JSON body with a `version` field; a target that says
 * nothing of its version is healthy or not, but never proven to run a release.
 * Checked before every move of a canary (metrics about a dead process can look healthy for a
 * whole query window) and for every target of a fleet, before and after each change.
 */
import { connect } from 'node:net';

export interface Probe {
  /** Why it does not answer, or undefined when it does. */
  why?: string;
  /** The version it reports (health URL only), when it reports one. */
  version?: string;
}

const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

/** The version a health answer reports: the x-version header, else a JSON body's `version` (a valid version only). */
export function reportedVersion(res: Response, body: string): string | undefined {
  const header = res.headers.get('x-version')?.trim();
  if (header && VERSION.test(header)) return header;
  if (!/json/.test(res.headers.get('content-type') ?? '') && !body.trimStart().startsWith('{')) return undefined;
  try {
    const v = (JSON.parse(body) as { version?: unknown }).version;
    return typeof v === 'string' && VERSION.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function probe(
  target: { address?: string; healthUrl?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Probe> {
  if (target.healthUrl) {
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const res = await fetch(target.healthUrl, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
      const body = (await res.text()).slice(0, 65_536);
      if (!res.ok) return { why: `its health check ${target.healthUrl} answered HTTP ${res.status}` };
      const version = reportedVersion(res, body);
      return version ? { version } : {};
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return {
        why: `its health check ${target.healthUrl} failed: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? e.message)}`,
      };
    }
  }
  if (!target.address) return {};
  const why = await connects(target.address, timeoutMs);
  return why ? { why } : {};
}

/** Whether the canary answers (the reason it does not, or undefined). */
export async function canaryAnswers(
  target: { address?: string; healthUrl?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  return (await probe(target, timeoutMs, signal)).why;
}

function connects(address: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const options = address.startsWith('unix:')
      ? { path: address.slice('unix:'.length) }
      : {
          host: address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
          port: Number(address.slice(address.lastIndexOf(':') + 1)),
        };
    const socket = connect(options);
    const done = (why?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`${address} did not accept a connection within ${timeoutMs}ms`), timeoutMs);
    socket.once('connect', () => done());
    socket.once('error', (e: Error & { code?: string }) =>
      done(`${address} refused the connection (${e.code ?? e.message})`),
    );
  });
}
