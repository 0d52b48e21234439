/** http: POSTs the split as JSON to the user's endpoint (a load balancer API, a feature flag service...). */
import { ActionError } from '@rollgate/kit';
import type { Split, TrafficProvider } from './provider.js';

export class HttpProvider implements TrafficProvider {
  readonly name = 'http';
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string> = {},
    private readonly timeoutMs = 10_000,
  ) {}

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
