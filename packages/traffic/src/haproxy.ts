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
import type { Split, TrafficProvider } from './provider.js';

export interface HaproxyOptions {
  /** The admin socket: a unix socket path, or host:port of a TCP `stats socket ... level admin`. */
  socket: string;
  backend: string;
  stableServer: string;
  canaryServer: string;
  timeoutMs?: number;
}

const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const ADDRESS = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

/** One Runtime API command (non-interactive mode: HAProxy answers and closes). */
export function haproxyCommand(socket: string, command: string, timeoutMs = 5000): Promise<string> {
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
    if (!/^\/\S+$/.test(options.socket) && !/^[\w.-]+:\d{1,5}$/.test(options.socket)) {
      throw new ActionError(
        `Input 'haproxy-socket': expected a unix socket path (/run/haproxy/admin.sock) or host:port, got ${JSON.stringify(options.socket)}`,
      );
    }
  }

  private async run(commands: string[]): Promise<void> {
    // Each command on its own: one failing is named, and nothing after it runs.
    for (const command of commands) {
      const answer = (await haproxyCommand(this.options.socket, command, this.options.timeoutMs)).trim();
      // `set server ... addr` reports what it did ("IP changed from ...", "no need to change the
      // addr"); the other commands answer nothing when they succeed. show servers state checks after.
      const report =
        / addr /.test(command) &&
        /^(?:no need to change|IP changed from|port changed from|.*changed from )/i.test(answer);
      if (answer && !report) throw new ActionError(`HAProxy refused '${command}': ${answer.split('\n')[0]}`);
    }
  }

  private slot(server: string, weight: number, address: string | undefined): string[] {
    const at = `${this.options.backend}/${server}`;
    const m = address ? ADDRESS.exec(address) : null;
    if (address && !m)
      throw new ActionError(
        `haproxy: address ${JSON.stringify(address)} is not ip:port (HAProxy's runtime API takes an IPv4 address and a port)`,
      );
    return [
      ...(m ? [`set server ${at} addr ${m[1]} port ${m[2]}`] : []),
      `set server ${at} weight ${weight}`,
      `set server ${at} state ready`,
    ];
  }

  /** What HAProxy holds now for the two slots: address and weight. */
  async state(): Promise<Record<string, { address: string; weight: number }>> {
    const text = await haproxyCommand(
      this.options.socket,
      `show servers state ${this.options.backend}`,
      this.options.timeoutMs,
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

  async setSplit(split: Split): Promise<void> {
    const w = Math.round(split.canaryWeight);
    const { stableServer, canaryServer } = this.options;
    // Stable first: while the canary slot changes address, every request has somewhere to go.
    await this.run([
      ...this.slot(stableServer, 100 - w, split.stable.address),
      `set server ${this.options.backend}/${canaryServer} weight 0`,
      ...this.slot(canaryServer, w, split.canary.address),
    ]);
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
