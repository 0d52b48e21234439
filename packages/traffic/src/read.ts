/**
 * What a command or an HTTP API answers when asked what it routes: the contract written in the
 * README ("Contracts: reading the split back"). JSON, either `{"routes": [...]}` or the array
 * alone, each entry `{"address"?: "host:port", "version"?: "1.2.3", "weight": 0-100}` with an
 * address or a version. Anything else is not an answer: never err toward "it routes what we asked".
 */
import { ActionError } from '@rollgate/kit';
import type { Route } from './provider.js';

export function parseRoutes(text: string, source: string): Route[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ActionError(`${source} did not answer JSON routes: ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  const list = Array.isArray(value) ? value : (value as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(list))
    throw new ActionError(
      `${source} answered no "routes" array (expected {"routes":[{"address"|"version","weight"}]})`,
    );
  return list.map((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const weight = e.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100)
      throw new ActionError(`${source}: routes[${i}].weight is ${JSON.stringify(weight)}, not a number from 0 to 100`);
    const route: Route = { weight };
    for (const key of ['address', 'version'] as const) {
      if (e[key] === undefined || e[key] === null || e[key] === '') continue;
      if (typeof e[key] !== 'string')
        throw new ActionError(`${source}: routes[${i}].${key} is ${JSON.stringify(e[key])}, not a string`);
      route[key] = e[key];
    }
    if (!route.address && !route.version)
      throw new ActionError(`${source}: routes[${i}] names neither an address nor a version`);
    return route;
  });
}
