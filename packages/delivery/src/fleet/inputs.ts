/**
 * The inputs that name a fleet behind HAProxy and how a deployed target proves healthy, read
 * the same way wherever a release goes onto the targets one by one (the phased release, and
 * a rollback of one); and the ports that do it (the HAProxy fleet and the deploy command).
 */
import { InputError, actionsLogger, type Inputs, type RunnerEnv } from '@rollgate/kit';
import type { GitHub } from '@rollgate/github';
import { HaproxyFleet } from '@rollgate/traffic';
import { parseTargets } from './plan.js';
import { commandDeployer } from '../artifact/deployer.js';

/** `targets: false`: the targets come from elsewhere (a phased release continued from its record). */
export function readFleetInputs(inputs: Inputs, options: { targets?: boolean } = {}) {
  const targets = options.targets === false ? [] : parseTargets(inputs.string('targets', { required: true }));
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
  const socket = inputs.string('haproxy-socket', { required: true });
  return {
    targets,
    ...(healthUrl ? { healthUrl } : {}),
    healthTimeoutMs,
    haproxy: { socket, backend: inputs.string('haproxy-backend', { required: true }), drainTimeoutMs },
  };
}

/** The fleet and the deployer, as a phased release, its post step and a fleet rollback run them. */
export function fleetPorts(
  inputs: { haproxy: ReturnType<typeof readFleetInputs>['haproxy']; deployCommand: string[]; token: string },
  gh: GitHub,
  env: RunnerEnv,
) {
  return {
    fleet: new HaproxyFleet(inputs.haproxy),
    deployer: commandDeployer({
      command: inputs.deployCommand,
      gh,
      token: inputs.token,
      repo: { owner: env.owner, repo: env.repo },
      ...(env.runnerTemp ? { tempDir: env.runnerTemp } : {}),
      logger: actionsLogger,
    }),
  };
}
