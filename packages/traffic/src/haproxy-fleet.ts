/**
 * haproxy as a fleet: the servers of one backend, taken out (`set server <b>/<s> state drain`:
 * no new requests, those in flight finish) and put back (`state ready`) over the admin socket,
 * with no reload. A drain returns once HAProxy counts no session on those servers (`show stat`,
 * `scur`), bounded; every change is read back with `show servers state` (srv_admin_state, the
 * drain flag 0x08 set or cleared).
 * https://docs.haproxy.org/2.6/management.html#9.3 (set server, show servers state, show stat)
 */
import { ActionError } from '@rollgate/kit';
import { haproxyCommand } from './haproxy.js';
import type { Fleet, PoolServer } from './provider.js';

/** SRV_ADMF_FDRAIN: drained by the admin (src/server.h). */
const FORCED_DRAIN = 0x08;
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface HaproxyFleetOptions {
  socket: string;
  backend: string;
  timeoutMs?: number;
  /** How long a drain waits for requests in flight to finish (default 30 s). */
  drainTimeoutMs?: number;
}

export class HaproxyFleet implements Fleet {
  readonly name = 'haproxy';

  constructor(private readonly options: HaproxyFleetOptions) {
    if (!NAME.test(options.backend))
      throw new ActionError(
        `Input 'haproxy-backend': expected a name of letters, digits, _ . : or -, got ${JSON.stringify(options.backend)}`,
      );
  }

  private command(text: string): Promise<string> {
    return haproxyCommand(this.options.socket, text, this.options.timeoutMs);
  }

  /** srv_admin_state of every server of the backend. */
  private async adminStates(): Promise<Map<string, number>> {
    const text = await this.command(`show servers state ${this.options.backend}`);
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 19 || f[1] !== this.options.backend || !/^\d+$/.test(f[0] ?? '')) continue;
      out.set(f[3] as string, Number(f[6]));
    }
    return out;
  }

  async check(servers: PoolServer[]): Promise<void> {
    const known = await this.adminStates();
    if (known.size === 0)
      throw new ActionError(
        `HAProxy has no backend ${this.options.backend} (show servers state answered nothing for it)`,
      );
    const missing = servers.filter((s) => !known.has(s.name)).map((s) => s.name);
    if (missing.length)
      throw new ActionError(
        `Input 'targets': HAProxy backend ${this.options.backend} has no server ${missing.join(', ')} (it has ${[...known.keys()].join(', ')})`,
      );
  }

  private async setState(servers: PoolServer[], state: 'drain' | 'ready'): Promise<void> {
    for (const s of servers) {
      const answer = (await this.command(`set server ${this.options.backend}/${s.name} state ${state}`)).trim();
      if (answer)
        throw new ActionError(
          `HAProxy refused 'set server ${this.options.backend}/${s.name} state ${state}': ${answer}`,
        );
    }
    const held = await this.adminStates();
    for (const s of servers) {
      const drained = ((held.get(s.name) ?? 0) & FORCED_DRAIN) !== 0;
      if (drained !== (state === 'drain'))
        throw new ActionError(
          `HAProxy holds ${this.options.backend}/${s.name} ${drained ? 'drained' : 'ready'}, not ${state}`,
        );
    }
  }

  /** Current sessions per server of the backend (`show stat`, field scur). */
  private async sessions(): Promise<Map<string, number>> {
    const text = await this.command('show stat');
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const f = line.split(',');
      if (f[0] === this.options.backend && f[1] && f[1] !== 'BACKEND' && f[1] !== 'FRONTEND')
        out.set(f[1], Number(f[4]));
    }
    return out;
  }

  async drain(servers: PoolServer[]): Promise<void> {
    if (!servers.length) return;
    await this.setState(servers, 'drain');
    const until = Date.now() + (this.options.drainTimeoutMs ?? 30_000);
    for (;;) {
      const now = await this.sessions();
      const busy = servers.filter((s) => (now.get(s.name) ?? 0) > 0);
      if (!busy.length) return;
      if (Date.now() >= until)
        throw new ActionError(
          `HAProxy still counts sessions on ${busy.map((s) => s.name).join(', ')} ${Math.round((this.options.drainTimeoutMs ?? 30_000) / 1000)}s after the drain`,
        );
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }

  async ready(servers: PoolServer[]): Promise<void> {
    if (servers.length) await this.setState(servers, 'ready');
  }
}
