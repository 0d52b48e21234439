/**
 * Read back, then record: after the suite moves traffic for good (an abort, a promotion, a
 * rollback), it reads what the traffic layer routes (the provider's `routes`) and asks each
 * address taking requests what it runs (the `x-version` header or a JSON `version`, as the
 * service contract says). The line it returns is what the record and the log may say; a split
 * that is not the one asked for, or an address running another version, is an error; so is a
 * traffic layer that cannot be read.
 */
import { ActionError, InputError } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from '@rollgate/traffic';
import { reportedVersion } from '../fleet/health.js';

/** The traffic layer does not route what the suite asked for: its line says what it found. */
export class TrafficUnverified extends ActionError {}

/** What a URL answers to a plain GET: the version it reports, or why it does not answer. */
async function asksUrl(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ version?: string; why?: string; status?: number }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.text()).slice(0, 65_536);
    const version = reportedVersion(res, body);
    return version ? { version, status: res.status } : { status: res.status };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { why: e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? e.message) };
  }
}

const asks = (address: string, timeoutMs: number) => asksUrl(`http://${address}/`, timeoutMs);

/** Requests sent through the entry URL at each read-back (sequential: a few seconds at most). */
export const ENTRY_PROBES = 10;

/** How long a read-back through the entry URL waits for the proxy to serve what it loaded. */
export const ENTRY_SETTLE_MS = 15_000;

/**
 * Requests through the URL users reach the service by, each on a new connection (a kept-alive
 * one may sit on a worker nginx is retiring): every answer must come, and every version
 * reported must be one the split routes. Returns the line's part that says what answered, or
 * a problem.
 */
async function entryRound(
  entry: string,
  versions: string[],
  timeoutMs: number,
): Promise<{ found?: string; problem?: string }> {
  const seen = new Map<string, number>();
  for (let i = 1; i <= ENTRY_PROBES; i += 1) {
    const answer = await asksUrl(entry, timeoutMs, { connection: 'close' });
    if (answer.why) return { problem: `through ${entry}, request ${i} of ${ENTRY_PROBES}: ${answer.why}` };
    // A 5xx no service signed (the proxy's own 502: nothing behind it answered).
    if (!answer.version && (answer.status ?? 0) >= 500)
      return { problem: `through ${entry}, request ${i} of ${ENTRY_PROBES} answered ${answer.status}` };
    const v = answer.version ?? '(no version)';
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  const told = [...seen].map(([v, n]) => `${n} of ${ENTRY_PROBES} answers report ${v}`).join(', ');
  const stray = [...seen.keys()].filter((v) => v !== '(no version)' && !versions.includes(v));
  if (stray.length) return { problem: `through ${entry}, ${told}, not ${versions.join(' or ')}` };
  return { found: `through ${entry}: ${told}` };
}

/**
 * A proxy applies what it was given a moment later (`nginx -s reload` only signals the master):
 * rounds of requests until one is clean, for up to `settleMs`; the last round's problem if none is.
 */
async function throughEntry(
  entry: string,
  versions: string[],
  timeoutMs: number,
  settleMs = ENTRY_SETTLE_MS,
): Promise<{ found?: string; problem?: string }> {
  const until = Date.now() + settleMs;
  for (;;) {
    const round = await entryRound(entry, versions, timeoutMs);
    if (!round.problem || Date.now() >= until) return round;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const where = (r: Route) => [r.version && `${r.version}`, r.address && `${r.address}`].filter(Boolean).join(' at ');
const shares = (routes: Route[]) => routes.map((r) => `${r.weight}% to ${where(r)}`).join(', ');

/** A route read back is the one wanted: same address (and version, when both say), or same version. */
function same(r: Route, e: Route): boolean {
  if (Math.abs(r.weight - e.weight) > 1) return false;
  if (r.address && e.address && r.address !== e.address) return false;
  if (r.version && e.version && r.version !== e.version) return false;
  return (!!r.address && r.address === e.address) || (!!r.version && r.version === e.version);
}

/**
 * Confirms the traffic layer routes `split` and returns the line that says so; throws
 * TrafficUnverified when it routes something else, or an address taking requests reports
 * another version or does not answer. A provider's routes that cannot be read throw as well.
 */
export async function confirmSplit(traffic: TrafficProvider, split: Split, timeoutMs = 5000): Promise<string> {
  const wanted = [
    { backend: split.stable, weight: 100 - split.canaryWeight },
    { backend: split.canary, weight: split.canaryWeight },
  ].filter((w) => w.weight > 0);
  // "1.1.0" when one version takes everything, "75% on 1.0.0, 25% on 1.1.0" otherwise.
  const onto =
    wanted.length === 1
      ? (wanted[0]?.backend.version ?? '')
      : wanted.map((w) => `${w.weight}% on ${w.backend.version}`).join(', ');
  let routes: Route[];
  try {
    routes = await traffic.routes();
  } catch (error) {
    throw new TrafficUnverified(`Traffic cannot be read back: ${(error as Error).message}.`);
  }
  const problems: string[] = [];
  const expected: Route[] = wanted.map((w) => ({
    ...(w.backend.address ? { address: w.backend.address } : {}),
    version: w.backend.version,
    weight: w.weight,
  }));
  // Routes by address need the split's addresses; a provider that reports neither side cannot confirm.
  if (routes.some((r) => !r.version) && expected.some((e) => !e.address))
    problems.push(`${traffic.name} routes by address and the split names no address for ${onto}`);
  else if (routes.length !== expected.length || !expected.every((e) => routes.some((r) => same(r, e))))
    problems.push(`${traffic.name} routes ${shares(routes) || 'nothing'}, not ${shares(expected)}`);
  const found: string[] = [];
  if (traffic.addressesReachable)
    for (const w of wanted) {
      if (!w.backend.address) continue;
      const answer = await asks(w.backend.address, timeoutMs);
      if (answer.why) problems.push(`${w.backend.address} does not answer (${answer.why})`);
      else if (answer.version && answer.version !== w.backend.version)
        problems.push(`${w.backend.address} reports ${answer.version}, not ${w.backend.version}`);
      else
        found.push(
          `${w.backend.address} ${answer.version ? `reports ${answer.version}` : 'answers (reports no version)'}`,
        );
    }
  if (traffic.entry) {
    const through = await throughEntry(
      traffic.entry,
      wanted.map((w) => w.backend.version),
      timeoutMs,
    );
    if (through.problem) problems.push(through.problem);
    else if (through.found) found.push(through.found);
  }
  if (problems.length) throw new TrafficUnverified(`Traffic read back wrong: ${problems.join('; ')}.`);
  return `${onto} (read back: ${traffic.name} routes ${shares(routes)}${found.length ? `; ${found.join(', ')}` : ''})`;
}

/**
 * Before anything moves: a provider read through a user's command or API must answer now, or
 * no split it sets could be confirmed later (the rollout would end unverified, traffic moved).
 */
export async function checkReadable(traffic: TrafficProvider): Promise<void> {
  if (!traffic.readInput) return;
  try {
    await traffic.routes();
  } catch (error) {
    throw new InputError(traffic.readInput, `a read-back of the split that answers (${(error as Error).message})`);
  }
}
