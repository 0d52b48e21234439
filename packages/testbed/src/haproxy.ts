/** A real HAProxy on loopback for the tests: one frontend, backend `app` (role slots or a pool of servers), an admin socket. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, stopper, waitFor, type Proc } from './stack.js';

export interface Haproxy extends Proc {
  socket: string;
  /**
   * Stops HAProxy and starts it again on the same configuration, port and socket: what it held
   * at run time (drains, weights, addresses) is gone, as after a real restart without a
   * server-state-file. Resolves once its frontend accepts connections again.
   */
  restart(): Promise<void>;
}

export async function startHaproxy(stable: string, canary?: string): Promise<Haproxy> {
  return startHaproxyWith([`server stable ${stable} weight 100`, `server canary ${canary ?? stable} weight 0`]);
}

/** HAProxy with backend `app` holding one server per target (a fleet for a phased release). */
export function startHaproxyPool(servers: { name: string; address: string }[]): Promise<Haproxy> {
  return startHaproxyWith(servers.map((s) => `server ${s.name} ${s.address} weight 100`));
}

async function startHaproxyWith(serverLines: string[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-'));
  const port = await freePort();
  const socket = join(dir, 'admin.sock');
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    `global
  stats socket ${socket} mode 600 level admin
  maxconn 1024
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend web
  bind 127.0.0.1:${port}
  default_backend app
backend app
  balance roundrobin
${serverLines.map((l) => `  ${l}`).join('\n')}
`,
  );
  const address = `127.0.0.1:${port}`;
  const start = async () => {
    const child = spawn('haproxy', ['-f', conf, '-db'], { stdio: 'ignore' });
    // Up when its frontend accepts connections (before any server of a fleet runs, a request
    // would wait out HAProxy's connect retries).
    await waitFor('haproxy', () => accepts(port));
    return child;
  };
  let child = await start();
  const proc: Haproxy = {
    port,
    address,
    child,
    socket,
    stop: () => stopper(child)(),
    async restart() {
      await stopper(child)();
      child = await start();
      proc.child = child;
    },
  };
  return proc;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
