/**
 * The inputs that name a fleet behind HAProxy and how a deployed target proves healthy, read
 * the same way wherever a release goes onto the targets one by one (the phased release, and
 * a rollback of one); and the ports that do it (the HAProxy fleet and the deploy command).
 */
import { InputError, actionsLogger, type Inputs, type RunnerEnv } from '@rollgate/kit';
import type { GitHub } from '@rollgate/github';
import { HaproxyFleet, SOCKET } from '@rollgate/traffic';
import { parseTargets, type Target } from './plan.js';
import { commandDeployer } from '../artifact/deployer.js';

/** `targets: false`: the targets come from elsewhere (a phased release continued from its record); 'optional': when given. */
export function readFleetInputs(inputs: Inputs, options: { targets?: boolean | 'optional' } = {}) {
  const given = inputs.string('targets');
  const targets =
    options.targets === false || (options.targets === 'optional' && !given)
      ? []
      : parseTargets(inputs.string('targets', { required: true }));
  const healthUrl = inputs.string('health-url', {
    pattern: {
      regex: /^https?:\/\/\{address\}\S*$/,
      description: 'an http(s) URL whose host is {address} (e.g. http://{address}/healthz)',
    },
  });
  const healthTimeoutMs = inputs.duration('health-timeout');
  if (healthTimeoutMs < 1000 || healthTimeoutMs > 3_600_000)
    throw new InputError('health-timeout', 'a duration from 1s to 1h', inputs.string('health-timeout'));
  const drainTimeoutMs = inputs.duration('drain-timeout');
  if (drainTimeoutMs > 3_600_000)
    throw new InputError('drain-timeout', 'a duration up to 1h', inputs.string('drain-timeout'));
  const deployTimeoutMs = inputs.duration('deploy-timeout');
  if (deployTimeoutMs < 1000 || deployTimeoutMs > 6 * 3_600_000)
    throw new InputError('deploy-timeout', 'a duration from 1s to 6h', inputs.string('deploy-timeout'));
  const maxParallel = inputs.integer('max-parallel', { min: 1, max: 100 });
  // One admin socket per HAProxy instance in front of the fleet (an HA pair, one per zone).
  const sockets = inputs.list('haproxy-socket');
  if (!sockets.length)
    throw new InputError('haproxy-socket', 'at least one admin socket (a unix socket path or host:port)');
  for (const socket of sockets)
    if (!SOCKET.test(socket))
      throw new InputError(
        'haproxy-socket',
        'unix socket paths (/run/haproxy/admin.sock) or host:port, one per line',
        socket,
      );
  return {
    targets,
    ...(healthUrl ? { healthUrl } : {}),
    healthTimeoutMs,
    deployTimeoutMs,
    maxParallel,
    haproxy: { sockets, backend: inputs.string('haproxy-backend', { required: true }), drainTimeoutMs },
  };
}

/** Whether the backend holds every target at its address, on every HAProxy instance (reads only). */
export function checkFleet(haproxy: ReturnType<typeof readFleetInputs>['haproxy'], targets: Target[]): Promise<void> {
  return new HaproxyFleet(haproxy).check(targets);
}

/** The fleet and the deployer, as a phased release, its post step and a fleet rollback run them. */
export function fleetPorts(
  inputs: {
    haproxy: ReturnType<typeof readFleetInputs>['haproxy'];
    deployCommand: string[];
    deployTimeoutMs: number;
    token: string;
  },
  gh: GitHub,
  env: RunnerEnv,
  signal?: AbortSignal,
) {
  return {
    fleet: new HaproxyFleet(inputs.haproxy),
    deployer: commandDeployer({
      command: inputs.deployCommand,
      timeoutMs: inputs.deployTimeoutMs,
      ...(signal ? { signal } : {}),
      gh,
      token: inputs.token,
      repo: { owner: env.owner, repo: env.repo },
      ...(env.runnerTemp ? { tempDir: env.runnerTemp } : {}),
      logger: actionsLogger,
    }),
  };
}
