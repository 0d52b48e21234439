/** Inputs of the phased release, read and checked once, before anything changes (main and post step). */
import { InputError, Inputs, VALUE_RULES, actionsLogger, splitArgs, type RunnerEnv } from '@rollgate/kit';
import { commandDeployer, parseTargets, planBatches, readJudgeInputs, waitTimeoutFrom } from '@rollgate/delivery';
import { trustedBranchesFrom, type GitHub } from '@rollgate/github';
import { HaproxyFleet } from '@rollgate/traffic';

export function readPhasedInputs(inputs: Inputs) {
  const targets = parseTargets(inputs.string('targets', { required: true }));
  const batches = planBatches(inputs.string('batches'), targets, inputs.string('min-healthy'));
  const intervalMs = inputs.duration('interval');
  if (intervalMs < 1000 || intervalMs > 86_400_000)
    throw new InputError('interval', 'a duration from 1s to 24h', inputs.string('interval'));
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
  const judging = readJudgeInputs(inputs, { checks: inputs.string('metrics') !== '', subject: 'the new version' });
  const deployCommand = splitArgs(inputs.string('deploy-command', { required: true }));
  const socket = inputs.string('haproxy-socket', { required: true });
  return {
    ...judging,
    version: inputs.string('version', { required: true, pattern: VALUE_RULES.version }),
    environment: inputs.string('environment', { required: true }),
    targets,
    batches,
    intervalMs,
    ...(healthUrl ? { healthUrl } : {}),
    healthTimeoutMs,
    deployCommand,
    haproxy: { socket, backend: inputs.string('haproxy-backend', { required: true }), drainTimeoutMs },
    artifact: {
      name: inputs.string('artifact-name', { required: true, pattern: VALUE_RULES.name }),
      digest: inputs.string('artifact-digest', {
        required: true,
        pattern: { regex: /^sha256:[0-9a-f]{64}$/, description: 'sha256:<64 hex digits>' },
      }),
      id: inputs.string('artifact-id', { pattern: { regex: /^\d{0,20}$/, description: 'a workflow artifact id' } }),
      runId: inputs.string('artifact-run-id', { pattern: { regex: /^\d{0,20}$/, description: 'a workflow run id' } }),
      releaseTag: inputs.string('release-tag', { pattern: VALUE_RULES.version }),
    },
    waitTimeoutMs: waitTimeoutFrom(inputs),
    trustedBranches: trustedBranchesFrom(inputs),
    token: inputs.string('github-token', { required: true }),
  };
}

/** The fleet and the deployer, as the main step and the post step both run them. */
export function fleetPorts(inputs: ReturnType<typeof readPhasedInputs>, gh: GitHub, env: RunnerEnv) {
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
