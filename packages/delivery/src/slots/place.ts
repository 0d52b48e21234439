/**
 * Where a new version goes. A canary or a rollback deploys into an address that serves nothing:
 * never the live release's address (a deploy there replaces what users get: 502s while it
 * restarts, and an "abort" that puts traffic "back" on the version it just overwrote), never one
 * another open rollout uses. With `slots` (two or more named addresses, blue/green) the suite
 * picks the first free one and records it; a given address is checked the same way. Everything
 * here runs on the records already read, before the first side effect.
 */
import { ActionError, InputError, VALUE_RULES, splitList } from '@rollgate/kit';
import type { DeploymentRecord } from '@rollgate/github';

export interface Slot {
  name: string;
  address: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** `name=host:port` per line or comma: at least two, names and addresses each once. */
export function parseSlots(text: string): Slot[] {
  const parts = splitList(text.trim(), /[\n,]/);
  if (!parts.length) return [];
  const slots = parts.map((part) => {
    const m = /^([^\s=]+)\s*=\s*(\S+)$/.exec(part);
    if (!m || !NAME.test(m[1] as string) || !VALUE_RULES.address.regex.test(m[2] as string))
      throw new InputError('slots', 'one name=host:port per line (e.g. blue=10.0.0.5:8081)', part);
    return { name: m[1] as string, address: m[2] as string };
  });
  if (slots.length < 2) throw new InputError('slots', 'at least two slots (the live one and one to deploy into)', text);
  for (const key of ['name', 'address'] as const) {
    const seen = new Set<string>();
    for (const s of slots) {
      if (seen.has(s[key])) throw new InputError('slots', `each ${key} once, but ${s[key]} is listed twice`);
      seen.add(s[key]);
    }
  }
  return slots;
}

/** The live release as a placement sees it: its version, where it serves (an input may say), its record. */
export interface Live {
  version: string;
  address?: string;
  id?: number;
}

const named = (live: Live) => `the live release ${live.version}${live.id ? ` (deployment ${live.id})` : ''}`;

/** What serves or is about to serve at an address: the live release, and each open rollout. */
export function busyAddresses(live: Live | undefined, open: DeploymentRecord[]): Map<string, string> {
  const busy = new Map<string, string>();
  if (live?.address) busy.set(live.address, named(live));
  for (const r of open)
    if (r.payload.address && !busy.has(r.payload.address))
      busy.set(r.payload.address, `the ${r.payload.kind ?? 'rollout'} of ${r.payload.version} (deployment ${r.id})`);
  return busy;
}

export interface Placement {
  address?: string;
  /** The slot chosen (slots given). */
  slot?: string;
}

/**
 * The address a new version is deployed into: the given one (`input` names it in errors),
 * refused when something live or open serves there; or the first free slot. Without either,
 * no address (a provider that routes by version, a deploy that knows its own place).
 */
export function placeRelease(options: {
  input: string;
  given?: string;
  slots: Slot[];
  live: Live | undefined;
  open: DeploymentRecord[];
  environment: string;
}): Placement {
  const { input, given, slots, live } = options;
  const busy = busyAddresses(live, options.open);
  if (given) {
    const user = busy.get(given);
    if (user)
      throw new InputError(
        input,
        `an address that serves nothing now, but ${given} serves ${user} (a deploy there replaces it under its users); give another address, or slots to let the suite choose`,
      );
    return { address: given };
  }
  if (!slots.length) return {};
  if (live && !live.address)
    throw new ActionError(
      `The${named(live).slice(3)} records no address, so which slot serves it is unknown: give stable-address once (the address it serves at).`,
    );
  const free = slots.find((s) => !busy.has(s.address));
  if (!free)
    throw new ActionError(
      `Every slot of ${options.environment} is in use: ${slots.map((s) => `${s.name} (${s.address}) serves ${busy.get(s.address)}`).join('; ')}. Settle the open rollout first (promote.yml: promote or abort).`,
    );
  return { address: free.address, slot: free.name };
}
