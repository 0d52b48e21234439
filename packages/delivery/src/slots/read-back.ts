/**
 * Read back, then record: after the suite moves traffic for good (an abort, a promotion, a
 * rollback), it reads what the traffic layer routes (the provider's `routes`) and asks each
 * address taking requests what it runs (the `x-version` header or a JSON `version`, as the
 * service contract says). The line it returns is what the record and the log may say; a split
 * that is not the one asked for, or an address running another version, is an error.
 */
import { ActionError } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from '@rollgate/traffic';
import { reportedVersion } from '../fleet/health.js';

/** The traffic layer does not route what the suite asked for: its line says what it found. */
export class TrafficUnverified extends ActionError {}

/** What each address answers to a plain GET of `/`: the version it reports, or why it does not answer. */
async function asks(address: string, timeoutMs: number): Promise<{ version?: string; why?: string }> {
  try {
    const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.text()).slice(0, 65_536);
    const version = reportedVersion(res, body);
    return version ? { version } : {};
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { why: e.name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e.cause?.code ?? e.message) };
  }
}

const shares = (routes: Route[]) => routes.map((r) => `${r.weight}% to ${r.address}`).join(', ');

/**
 * Confirms the traffic layer routes `split` and returns the line that says so (or that the
 * provider cannot be read back); throws TrafficUnverified when it routes something else, or an
 * address taking requests reports another version or does not answer.
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
  if (!traffic.routes) return `${onto} (set by the ${traffic.name} provider; it cannot be read back)`;
  const routes = await traffic.routes();
  const problems: string[] = [];
  if (wanted.some((w) => w.backend.address)) {
    const expected = wanted.map((w) => ({ address: w.backend.address ?? '?', weight: w.weight }));
    const same =
      routes.length === expected.length &&
      expected.every((e) => routes.some((r) => r.address === e.address && Math.abs(r.weight - e.weight) <= 1));
    if (!same) problems.push(`${traffic.name} routes ${shares(routes) || 'nothing'}, not ${shares(expected)}`);
  }
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
  if (problems.length) throw new TrafficUnverified(`Traffic read back wrong: ${problems.join('; ')}.`);
  return `${onto} (read back: ${traffic.name} routes ${shares(routes)}${found.length ? `; ${found.join(', ')}` : ''})`;
}
