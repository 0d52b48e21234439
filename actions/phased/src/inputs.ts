/** Inputs of the phased release, read and checked once, before anything changes (main and post step). */
import { InputError, Inputs, VALUE_RULES, splitArgs } from '@rollgate/kit';
import { planBatches, readFleetInputs, readJudgeInputs, waitTimeoutFrom } from '@rollgate/delivery';
import { trustedBranchesFrom } from '@rollgate/github';

export { fleetPorts } from '@rollgate/delivery';

export function readPhasedInputs(inputs: Inputs) {
  const fleet = readFleetInputs(inputs);
  const batches = planBatches(inputs.string('batches'), fleet.targets, inputs.string('min-healthy'));
  const intervalMs = inputs.duration('interval');
  if (intervalMs < 1000 || intervalMs > 86_400_000)
    throw new InputError('interval', 'a duration from 1s to 24h', inputs.string('interval'));
  const judging = readJudgeInputs(inputs, { checks: inputs.string('metrics') !== '', subject: 'the new version' });
  const deployCommand = splitArgs(inputs.string('deploy-command', { required: true }));
  return {
    ...judging,
    ...fleet,
    version: inputs.string('version', { required: true, pattern: VALUE_RULES.version }),
    environment: inputs.string('environment', { required: true }),
    batches,
    intervalMs,
    deployCommand,
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
