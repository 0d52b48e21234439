/**
 * Whether the canary itself answers, checked before every move (each weight increase and the
 * promotion): metrics about a dead process can look healthy for a whole query window (the
 * readings taken before it died), and nginx hides the failure by retrying on stable until the
 * canary gets all the traffic. A TCP connection to its address, or a 2xx from a health URL.
 */
import { connect } from 'node:net';

export async function canaryAnswers(
  target: { address?: string; healthUrl?: string },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (target.healthUrl) {
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      const res = await fetch(target.healthUrl, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
      await res.arrayBuffer();
      return res.ok ? undefined : `its health check ${target.healthUrl} answered HTTP ${res.status}`;
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      return `its health check ${target.healthUrl} failed: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? e.message)}`;
    }
  }
  if (!target.address) return undefined;
  const address = target.address;
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
