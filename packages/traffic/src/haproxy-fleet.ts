/**
 * haproxy as a fleet: the servers of one backend, on one HAProxy or several (an HA pair, one per
 * zone), taken out (`set server <b>/<s> state drain`: no new requests, those in flight finish)
 * and put back (`state ready`) over each admin socket, with no reload. Every change is applied to
 * every instance and read back from each (`show servers state`: srv_admin_state, the drain flag
 * 0x08); a drain returns once no instance counts a session on those servers (`show stat`, scur),
 * bounded. Commands are retried while a socket does not answer (a reload, a restart), for a
 * bounded time. `inspect` says what each instance holds now, and `enforce` puts back a drain or a
 * ready an instance lost (HAProxy keeps runtime changes in memory only: a restart without a
 * `server-state-file` brings every server back in rotation).
 * https://docs.haproxy.org/2.6/management.html#9.3 (set server, show servers state, show stat)
 */
import { ActionError } from '@rollgate/kit';
import { SOCKET, haproxyCommand } from './haproxy.js';
import type { Fleet, PoolServer, PoolState } from './provider.js';

/** SRV_ADMF_FMAINT, CMAINT, FDRAIN, IMAINT, RMAINT, CDRAIN, IDRAIN, HMAINT (src/server.h): out of rotation by an admin or config. */
const OUT_OF_ROTATION = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40 | 0x80;
/** SRV_ADMF_FDRAIN: drained by the admin. */
const FORCED_DRAIN = 0x08;
/** SRV_ST_RUNNING (srv_op_state). */
const RUNNING = 2;
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface HaproxyFleetOptions {
  /** One admin socket per HAProxy instance in front of the fleet (each a unix path or host:port). */
  sockets: string[];
  backend: string;
  timeoutMs?: number;
  /** How long a drain waits for requests in flight to finish (default 30 s). */
  drainTimeoutMs?: number;
  /** How long a command is tried again while a socket does not answer (default 30 s). */
  retryForMs?: number;
}

/** One server as one instance holds it. */
interface Held {
  address: string;
  admin: number;
  op: number;
}

export class HaproxyFleet implements Fleet {
  readonly name = 'haproxy';

  constructor(private readonly options: HaproxyFleetOptions) {
    if (!NAME.test(options.backend))
      throw new ActionError(
        `Input 'haproxy-backend': expected a name of letters, digits, _ . : or -, got ${JSON.stringify(options.backend)}`,
      );
    if (!options.sockets.length) throw new ActionError("Input 'haproxy-socket': expected at least one admin socket");
    for (const socket of options.sockets)
      if (!SOCKET.test(socket))
        throw new ActionError(
          `Input 'haproxy-socket': expected unix socket paths (/run/haproxy/admin.sock) or host:port, one per line, got ${JSON.stringify(socket)}`,
        );
  }

  private command(socket: string, text: string): Promise<string> {
    return haproxyCommand(socket, text, this.options.timeoutMs, this.options.retryForMs ?? 30_000);
  }

  /** What one instance holds for every server of the backend. */
  private async held(socket: string): Promise<Map<string, Held>> {
    const text = await this.command(socket, `show servers state ${this.options.backend}`);
    const out = new Map<string, Held>();
    for (const line of text.split('\n')) {
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port (field 19)
      const f = line.trim().split(/\s+/);
      if (f.length < 19 || f[1] !== this.options.backend || !/^\d+$/.test(f[0] ?? '')) continue;
      out.set(f[3] as string, { address: `${f[4]}:${f[18]}`, op: Number(f[5]), admin: Number(f[6]) });
    }
    return out;
  }

  async check(servers: PoolServer[]): Promise<void> {
    for (const socket of this.options.sockets) {
      const known = await this.held(socket);
      if (known.size === 0)
        throw new ActionError(
          `HAProxy at ${socket} has no backend ${this.options.backend} (show servers state answered nothing for it)`,
        );
      const missing = servers.filter((s) => !known.has(s.name)).map((s) => s.name);
      if (missing.length)
        throw new ActionError(
          `HAProxy at ${socket}: backend ${this.options.backend} has no server ${missing.join(', ')} (it has ${[...known.keys()].join(', ')})`,
        );
      const moved = servers.filter((s) => s.address && known.get(s.name)?.address !== s.address);
      if (moved.length)
        throw new ActionError(
          `HAProxy at ${socket}: ${moved.map((s) => `${this.options.backend}/${s.name} is at ${known.get(s.name)?.address}, not ${s.address}`).join('; ')}`,
        );
    }
  }

  async inspect(servers: PoolServer[]): Promise<PoolState[]> {
    const views = await Promise.all(
      this.options.sockets.map(async (socket) => ({ socket, held: await this.held(socket) })),
    );
    return servers.map((s) => {
      const per = views.map((v) => ({ socket: v.socket, held: v.held.get(s.name) }));
      const missing = per.filter((p) => !p.held).map((p) => p.socket);
      const drained = per.filter((p) => p.held && (p.held.admin & FORCED_DRAIN) !== 0).map((p) => p.socket);
      const out = per.filter((p) => p.held && (p.held.admin & OUT_OF_ROTATION) !== 0).map((p) => p.socket);
      const down = per.filter((p) => p.held && p.held.op !== RUNNING).map((p) => p.socket);
      const elsewhere = per.filter((p) => p.held && s.address && p.held.address !== s.address).map((p) => p.socket);
      const notes = [
        ...(missing.length ? [`unknown to ${missing.join(', ')}`] : []),
        ...(drained.length ? [`drained on ${drained.join(', ')}`] : []),
        ...(out.length > drained.length
          ? [`in maintenance on ${out.filter((x) => !drained.includes(x)).join(', ')}`]
          : []),
        ...(down.length ? [`down (health checks) on ${down.join(', ')}`] : []),
        ...(elsewhere.length ? [`at another address on ${elsewhere.join(', ')}`] : []),
      ];
      return {
        name: s.name,
        drainedEverywhere: missing.length === 0 && drained.length === per.length,
        inRotation: notes.length === 0,
        detail: notes.join('; ') || `in rotation on ${this.options.sockets.length} HAProxy instance(s)`,
      };
    });
  }

  private async setState(servers: PoolServer[], state: 'drain' | 'ready'): Promise<void> {
    for (const socket of this.options.sockets)
      for (const s of servers) {
        const answer = (
          await this.command(socket, `set server ${this.options.backend}/${s.name} state ${state}`)
        ).trim();
        if (answer)
          throw new ActionError(
            `HAProxy at ${socket} refused 'set server ${this.options.backend}/${s.name} state ${state}': ${answer}`,
          );
      }
    for (const socket of this.options.sockets) {
      const held = await this.held(socket);
      for (const s of servers) {
        const drained = ((held.get(s.name)?.admin ?? 0) & FORCED_DRAIN) !== 0;
        if (drained !== (state === 'drain'))
          throw new ActionError(
            `HAProxy at ${socket} holds ${this.options.backend}/${s.name} ${drained ? 'drained' : 'ready'}, not ${state}`,
          );
      }
    }
  }

  /** Current sessions per server of the backend on one instance (`show stat`, field scur). */
  private async sessions(socket: string): Promise<Map<string, number>> {
    const text = await this.command(socket, 'show stat');
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
      const busy = new Set<string>();
      for (const socket of this.options.sockets) {
        const now = await this.sessions(socket);
        for (const s of servers) if ((now.get(s.name) ?? 0) > 0) busy.add(s.name);
      }
      if (!busy.size) return;
      if (Date.now() >= until)
        throw new ActionError(
          `HAProxy still counts sessions on ${[...busy].join(', ')} ${Math.round((this.options.drainTimeoutMs ?? 30_000) / 1000)}s after the drain`,
        );
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }

  async ready(servers: PoolServer[]): Promise<void> {
    if (servers.length) await this.setState(servers, 'ready');
  }

  async enforce(drained: PoolServer[], ready: PoolServer[]): Promise<string[]> {
    const said: string[] = [];
    for (const socket of this.options.sockets) {
      const held = await this.held(socket);
      const isDrained = (s: PoolServer) => ((held.get(s.name)?.admin ?? 0) & FORCED_DRAIN) !== 0;
      const lostDrain = drained.filter((s) => !isDrained(s));
      const lostReady = ready.filter((s) => isDrained(s));
      for (const [list, state] of [
        [lostDrain, 'drain'],
        [lostReady, 'ready'],
      ] as const) {
        for (const s of list) {
          const answer = (
            await this.command(socket, `set server ${this.options.backend}/${s.name} state ${state}`)
          ).trim();
          if (answer)
            throw new ActionError(
              `HAProxy at ${socket} refused 'set server ${this.options.backend}/${s.name} state ${state}': ${answer}`,
            );
        }
        if (list.length)
          said.push(
            `HAProxy at ${socket} held ${list.map((s) => s.name).join(', ')} ${state === 'drain' ? 'in rotation' : 'drained'} (restarted, or changed by hand): set ${state} again`,
          );
      }
    }
    return said;
  }
}
