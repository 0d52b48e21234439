/**
 * haproxy: weights set at run time over HAProxy's admin socket (the Runtime API), with no
 * reload, so no connection is dropped (an nginx reload closes idle keep-alive connections).
 * The backend has two server slots, one per role (default `stable` and `canary`): each move
 * points the slots at the versions' addresses (`set server <b>/<s> addr <ip> port <port>`),
 * sets their weights (`set server <b>/<s> weight <w>`, 0 takes no new requests) and marks them
 * ready, stable slot first, then reads `show servers state <b>` back to check what HAProxy holds.
 * https://docs.haproxy.org/2.6/management.html#9.3 (set server, show servers state)
 */
import { connect } from 'node:net';
import { ActionError } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from './provider.js';

export interface HaproxyOptions {
  /** The admin socket: a unix socket path, or host:port of a TCP `stats socket ... level admin`. */
  socket: string;
  backend: string;
  stableServer: string;
  canaryServer: string;
  timeoutMs?: number;
  /** How long a command is tried again while the socket does not answer (default 20 s). */
  retryForMs?: number;
}

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const ADDRESS = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

/** A unix socket path or host:port: what `haproxy-socket` takes (validated before anything runs). */
export const SOCKET = /^(?:\/[A-Za-z0-9._/-]{1,255}|[A-Za-z0-9.-]{1,253}:\d{1,5})$/;

/** The admin socket did not answer (refused, missing, reset, silent): worth trying again. */
const UNREACHABLE = /ENOENT|ECONNREFUSED|ECONNRESET|EPIPE|EAGAIN|no answer within/;

/**
 * One Runtime API command, tried again while the socket does not answer (HAProxy reloading or
 * restarting, the socket briefly gone) for up to `retryForMs`, backing off from 250 ms to 2 s.
 * HAProxy's answer (a refusal included) is never retried: only silence is.
 */
export async function haproxyCommand(
  socket: string,
  command: string,
  timeoutMs = 5000,
  retryForMs = 0,
): Promise<string> {
  const until = Date.now() + retryForMs;
  for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await haproxyOnce(socket, command, timeoutMs);
    } catch (error) {
      if (!UNREACHABLE.test((error as Error).message) || Date.now() + wait > until) throw error;
      await new Promise((ok) => setTimeout(ok, wait));
    }
  }
}

function haproxyOnce(socket: string, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hostPort = /^([^/:]+):(\d{1,5})$/.exec(socket);
    const conn = hostPort ? connect(Number(hostPort[2]), hostPort[1]) : connect(socket);
    let out = '';
    const timer = setTimeout(() => conn.destroy(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d: string) => (out += d));
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(new ActionError(`HAProxy admin socket ${socket}: ${e.message}`));
    });
    conn.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

export class HaproxyProvider implements TrafficProvider {
  readonly name = 'haproxy';
  // HAProxy runs beside the runner and reaches the same addresses.
  readonly addressesReachable = true;

  constructor(private readonly options: HaproxyOptions) {
    for (const [input, value] of [
      ['haproxy-backend', options.backend],
      ['haproxy-stable-server', options.stableServer],
      ['haproxy-canary-server', options.canaryServer],
    ] as const) {
      if (!NAME.test(value))
        throw new ActionError(
          `Input '${input}': expected a name of letters, digits, _ . : or -, got ${JSON.stringify(value)}`,
        );
    }
    if (!SOCKET.test(options.socket)) {
      throw new ActionError(
        `Input 'haproxy-socket': expected a unix socket path (/run/haproxy/admin.sock) or host:port, got ${JSON.stringify(options.socket)}`,
      );
    }
  }

  private async run(commands: string[]): Promise<void> {
    // Each command on its own: one failing is named, and nothing after it runs.
    for (const command of commands) {
      const answer = (
        await haproxyCommand(this.options.socket, command, this.options.timeoutMs, this.options.retryForMs ?? 20_000)
      ).trim();
      // `set server ... addr` reports what it did ("IP changed from ...", "no need to change the
      // addr"); the other commands answer nothing when they succeed. show servers state checks after.
      const report =
        / addr /.test(command) &&
        /^(?:no need to change|IP changed from|port changed from|.*changed from )/i.test(answer);
      if (answer && !report) throw new ActionError(`HAProxy refused '${command}': ${answer.split('\n')[0]}`);
    }
  }

  /** What HAProxy holds now for the two slots: address and weight. */
  async state(): Promise<Record<string, { address: string; weight: number }>> {
    const text = await haproxyCommand(
      this.options.socket,
      `show servers state ${this.options.backend}`,
      this.options.timeoutMs,
      this.options.retryForMs ?? 20_000,
    );
    const out: Record<string, { address: string; weight: number }> = {};
    for (const line of text.split('\n')) {
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight ... srv_port (field 19)
      const f = line.trim().split(/\s+/);
      if (f.length < 19 || f[1] !== this.options.backend || !/^\d+$/.test(f[0] ?? '')) continue;
      out[f[3] as string] = { address: `${f[4]}:${f[18]}`, weight: Number(f[7]) };
    }
    return out;
  }

  /** The two slots HAProxy holds now (show servers state), those taking requests, with their shares. */
  async routes(): Promise<Route[]> {
    const held = await this.state();
    const slots = [held[this.options.stableServer], held[this.options.canaryServer]].filter(
      (s): s is { address: string; weight: number } => !!s && s.weight > 0,
    );
    const total = slots.reduce((sum, s) => sum + s.weight, 0);
    return slots.map((s) => ({ address: s.address, weight: Math.round((s.weight * 100) / total) }));
  }

  async setSplit(split: Split): Promise<void> {
    const w = Math.round(split.canaryWeight);
    const { stableServer, canaryServer } = this.options;
    for (const a of [split.stable.address, split.canary.address])
      if (a && !ADDRESS.test(a))
        throw new ActionError(
          `haproxy: address ${JSON.stringify(a)} is not ip:port (HAProxy's runtime API takes an IPv4 address and a port)`,
        );
    const before = await this.state();
    // Both slots must exist before the first command: nothing is moved half-way.
    for (const server of [stableServer, canaryServer])
      if (!before[server])
        throw new ActionError(
          `HAProxy backend ${this.options.backend} has no server ${server} (show servers state): check haproxy-backend and the server names`,
        );
    await this.run(
      planMoves(before, {
        [stableServer]: { weight: 100 - w, ...(split.stable.address ? { address: split.stable.address } : {}) },
        [canaryServer]: { weight: w, ...(split.canary.address ? { address: split.canary.address } : {}) },
      }).map((c) => `set server ${this.options.backend}/${c}`),
    );
    const held = await this.state();
    const check = (server: string, weight: number, address?: string) => {
      const s = held[server];
      if (!s)
        throw new ActionError(`HAProxy backend ${this.options.backend} has no server ${server} (show servers state)`);
      if (s.weight !== weight || (address && s.address !== address)) {
        throw new ActionError(
          `HAProxy holds ${server} at ${s.address} weight ${s.weight}, not ${address ?? s.address} weight ${weight}`,
        );
      }
    };
    check(stableServer, 100 - w, split.stable.address);
    check(canaryServer, w, split.canary.address);
  }
}

type Slots = Record<string, { address?: string; weight: number }>;

/**
 * The `set server` commands (after `<backend>/`) that take two role slots from what HAProxy
 * holds to the wanted weights and addresses without a moment where no server takes requests
 * (HAProxy answers 503 then): the slot whose weight goes up moves first; a slot changes address
 * only at weight 0, and while it is the only one taking requests the other slot first takes its
 * requests at its address (a bridge), then goes to its own weight and address.
 */
export function planMoves(held: Slots, want: Slots): string[] {
  const names = Object.keys(want) as [string, string];
  const now: Slots = Object.fromEntries(names.map((n) => [n, { ...(held[n] ?? { weight: 0 }) }]));
  const out: string[] = [];
  const weight = (n: string, w: number) => {
    if ((now[n] as { weight: number }).weight === w) return;
    out.push(`${n} weight ${w}`);
    (now[n] as { weight: number }).weight = w;
  };
  const address = (n: string, a: string) => {
    const m = ADDRESS.exec(a) as RegExpExecArray;
    out.push(`${n} addr ${m[1]} port ${m[2]}`);
    (now[n] as { address?: string }).address = a;
  };
  const other = (n: string) => (n === names[0] ? names[1] : names[0]);
  const move = (n: string, a: string) => {
    const slot = now[n] as { address?: string; weight: number };
    if (slot.address === a) return;
    if (slot.weight > 0) {
      const o = other(n);
      const bridge = now[o] as { address?: string; weight: number };
      if (bridge.weight === 0) {
        if (bridge.address !== slot.address && slot.address) address(o, slot.address);
        weight(o, slot.weight);
      }
      weight(n, 0);
    }
    address(n, a);
  };
  // The slot whose weight goes up first: the other still takes requests until it is up.
  const rising = (n: string) => (want[n] as { weight: number }).weight - (now[n] as { weight: number }).weight;
  const order = [...names].sort((a, b) => rising(b) - rising(a));
  // Twice: a bridge set while the second slot moved is taken back to its own weight and address.
  for (let pass = 0; pass < 2; pass++) {
    for (const n of order) {
      const target = want[n] as { address?: string; weight: number };
      if (target.address) move(n, target.address);
      weight(n, target.weight);
    }
  }
  for (const n of names) out.push(`${n} state ready`);
  return out;
}
