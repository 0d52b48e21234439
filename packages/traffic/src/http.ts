/**
 * http: POSTs the split as JSON to the user's endpoint (a load balancer API, a feature flag
 * service...) and reads it back with a GET of the same URL (JSON routes).
 */
import { ActionError } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from './provider.js';
import { parseRoutes } from './read.js';

export class HttpProvider implements TrafficProvider {
  readonly name = 'http';
  readonly readInput = 'traffic-url';
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
    private readonly timeoutMs = 10_000,
  ) {}

  async routes(): Promise<Route[]> {
    let res: Response;
    try {
      res = await fetch(this.url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new ActionError(`traffic endpoint ${this.url} unreachable reading the split: ${(error as Error).message}`);
    }
    if (!res.ok)
      throw new ActionError(`traffic endpoint ${this.url} answered ${res.status} to GET (reading the split).`);
    return parseRoutes((await res.text()).slice(0, 1_048_576), `traffic endpoint ${this.url}`);
  }

  async setSplit(split: Split): Promise<void> {
    const body = {
      canary: { version: split.canary.version, weight: split.canaryWeight, address: split.canary.address },
      stable: { version: split.stable.version, weight: 100 - split.canaryWeight, address: split.stable.address },
    };
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ActionError(
        `traffic endpoint ${this.url} unreachable setting ${split.canaryWeight}%: ${(error as Error).message}`,
      );
    }
    if (!res.ok)
      throw new ActionError(`traffic endpoint ${this.url} answered ${res.status} setting ${split.canaryWeight}%.`);
  }
}
