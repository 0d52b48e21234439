/**
 * A phased release's plan: the targets (the instances behind the load balancer) and the
 * batches they change in. Batches are cumulative, as CodeDeploy's and Alibaba's are: `1,25%,
 * 50%,100%` over 8 targets changes 1, then 2 (25% rounds up), then 4, then 8; each batch must
 * change at least one more target and the last must reach them all. While a batch changes, its
 * targets are out of the load balancer: the rest must be at least the minimum healthy.
 * Batches can follow zones instead: `zones` changes one zone at a time (in the order the
 * targets name them), `1,zones` one target of the first zone first, then the rest zone by zone.
 * Every rule is checked before anything changes; an error names the input.
 */
import { InputError, VALUE_RULES, splitList } from '@rollgate/kit';

export interface Target {
  /** The server's name in the load balancer (HAProxy: backend/<name>). */
  name: string;
  /** Where it serves: ip:port. */
  address: string;
  /** The zone it runs in (`zone=<name>` in the targets input), for batches that follow zones. */
  zone?: string;
}

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const IP_PORT = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/;

/** `name=ip:port [zone=z]` per line or comma (or `name ip:port`), or a JSON list of {name, address, zone?}. */
export function parseTargets(text: string): Target[] {
  const trimmed = text.trim();
  let targets: Target[];
  if (trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (error) {
      throw new InputError('targets', `a JSON list of {"name", "address"} (${(error as Error).message})`);
    }
    if (!Array.isArray(doc)) throw new InputError('targets', 'a JSON list of {"name", "address"}');
    targets = doc.map((t: { name?: unknown; address?: unknown; zone?: unknown }) => ({
      name: String(t?.name ?? ''),
      address: String(t?.address ?? ''),
      ...(t?.zone !== undefined ? { zone: String(t.zone) } : {}),
    }));
  } else {
    targets = splitList(trimmed, /[\n,]/).map((line) => {
      const m = /^([^\s=]+)\s*[=\s]\s*([^\s=]+)(?:\s+zone=(\S*))?$/.exec(line);
      if (!m)
        throw new InputError('targets', 'one name=ip:port [zone=<zone>] per line (e.g. web-1=10.0.0.11:8080)', line);
      return { name: m[1] as string, address: m[2] as string, ...(m[3] !== undefined ? { zone: m[3] } : {}) };
    });
  }
  if (targets.length === 0) throw new InputError('targets', 'at least one name=ip:port');
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const t of targets) {
    if (!NAME.test(t.name))
      throw new InputError('targets', 'server names of letters, digits, _ . : or - (as in the load balancer)', t.name);
    if (!IP_PORT.test(t.address) || !VALUE_RULES.address.regex.test(t.address))
      throw new InputError('targets', `an IPv4 address and port for ${t.name} (e.g. 10.0.0.11:8080)`, t.address);
    if (t.zone !== undefined && !NAME.test(t.zone))
      throw new InputError('targets', `a zone of letters, digits, _ . : or - for ${t.name}`, t.zone);
    if (names.has(t.name)) throw new InputError('targets', `each target once, but ${t.name} is listed twice`);
    if (addresses.has(t.address))
      throw new InputError('targets', `one target per address, but ${t.address} is listed twice`);
    names.add(t.name);
    addresses.add(t.address);
  }
  return targets;
}

/** A count (`2`) or a share of the targets (`25%`, rounded up) as a number of targets. */
function countOf(part: string, total: number, input: string): number {
  const percent = part.endsWith('%');
  const digits = percent ? part.slice(0, -1) : part;
  if (!/^\d+$/.test(digits)) throw new InputError(input, 'counts or percentages (e.g. 1,25%,50%,100%)', part);
  const n = Number(digits);
  if (percent) {
    if (n < 1 || n > 100) throw new InputError(input, 'percentages from 1% to 100%', part);
    return Math.ceil((n * total) / 100);
  }
  return n;
}

/**
 * The targets each batch changes, in order. `minHealthy`: a count or a percentage of the
 * targets that must stay in the load balancer while a batch changes.
 */
export function planBatches(spec: string, given: Target[], minHealthySpec: string): Target[][] {
  const total = given.length;
  const parts = splitList(spec, /,/);
  if (parts.length === 0) throw new InputError('batches', 'counts or percentages (e.g. 1,25%,50%,100%)');
  const byZone = parts[parts.length - 1] === 'zones';
  const targets = byZone ? zoneOrder(given) : given;
  const cumulative = byZone
    ? zoneBounds(
        parts.slice(0, -1).map((p) => countOf(p, total, 'batches')),
        targets,
        spec,
      )
    : parts.map((p) => countOf(p, total, 'batches'));
  const minHealthy = countOf(minHealthySpec || '0', total, 'min-healthy');
  let done = 0;
  const batches: Target[][] = [];
  for (const [i, upTo] of cumulative.entries()) {
    if (upTo > total)
      throw new InputError(
        'batches',
        `at most the ${total} targets in each batch`,
        `${parts[i] ?? ''} (${upTo} targets)`,
      );
    if (upTo <= done)
      throw new InputError(
        'batches',
        `batches that grow: ${parts[i] ?? upTo} of ${total} targets is ${upTo}, not more than the ${done} before it`,
        spec,
      );
    const size = upTo - done;
    if (total - size < minHealthy)
      throw new InputError(
        'min-healthy',
        `at most ${total - size} (batch ${i + 1} takes ${size} of the ${total} targets out of the load balancer)`,
        minHealthySpec,
      );
    batches.push(targets.slice(done, upTo));
    done = upTo;
  }
  if (done !== total) throw new InputError('batches', `a last batch that reaches all ${total} targets (100%)`, spec);
  return batches;
}

/** The targets grouped by zone, zones in the order the targets first name them (every target must name one). */
function zoneOrder(targets: Target[]): Target[] {
  const missing = targets.find((t) => !t.zone);
  if (missing)
    throw new InputError(
      'targets',
      `a zone=<zone> for every target when batches follow zones (${missing.name} has none)`,
    );
  const zones = [...new Set(targets.map((t) => t.zone))];
  return zones.flatMap((z) => targets.filter((t) => t.zone === z));
}

/** Cumulative batch ends: the leading counts (within the first zone), then the end of each zone. */
function zoneBounds(leading: number[], targets: Target[], spec: string): number[] {
  const ends: number[] = [];
  targets.forEach((t, i) => {
    if (targets[i + 1]?.zone !== t.zone) ends.push(i + 1);
  });
  const first = ends[0] ?? 0;
  const over = leading.find((n) => n >= first);
  if (over !== undefined)
    throw new InputError(
      'batches',
      `batches before zones that stay inside the first zone (${targets[0]?.zone}: ${first} targets), not ${over}`,
      spec,
    );
  return [...leading, ...ends];
}
