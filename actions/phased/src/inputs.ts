/** Inputs of the phased release, read and checked once, before anything changes (main and post step). */
import { InputError, Inputs, VALUE_RULES, splitArgs } from '@rollgate/kit';
import {
  planBatches,
  readChainInputs,
  readFleetInputs,
  readJudgeInputs,
  waitTimeoutFrom,
  type PhasedMode,
} from '@rollgate/delivery';
import { PHASED_PAUSES, trustedBranchesFrom, trustedWorkflowsFrom } from '@rollgate/github';

export { fleetPorts } from '@rollgate/delivery';

const MODES: readonly (PhasedMode | 'check')[] = ['run', 'continue', 'abort', 'reconcile', 'check'];

/**
 * Mode run plans a new release from the inputs; continue and abort read the plan, the
 * targets and the artifact from the record of the release paused at its gate (those inputs
 * are not read), and take the fleet's access and the deploy command from the inputs.
 */
export function readPhasedInputs(inputs: Inputs) {
  const chosen = inputs.oneOf('mode', MODES, 'run');
  // check: a run's settings and programs, and the fleet as HAProxy holds it, before a release exists.
  const checking = chosen === 'check';
  const mode: PhasedMode = checking ? 'run' : chosen;
  const starting = mode === 'run';
  // Reconcile takes the targets when given (else the live release's plan).
  const fleet = readFleetInputs(inputs, { targets: starting ? true : mode === 'reconcile' ? 'optional' : false });
  const batches = starting
    ? planBatches(inputs.string('batches'), fleet.targets, inputs.string('min-healthy'))
    : fleet.targets.length
      ? [fleet.targets]
      : [];
  const intervalMs = inputs.duration('interval');
  if (intervalMs < 1000 || intervalMs > 86_400_000)
    throw new InputError('interval', 'a duration from 1s to 24h', inputs.string('interval'));
  const pause = inputs.oneOf('pause', PHASED_PAUSES, 'auto');
  const judging = readJudgeInputs(inputs, { checks: inputs.string('metrics') !== '', subject: 'the new version' });
  const deployCommand = splitArgs(inputs.string('deploy-command', { required: true }));
  const version = inputs.string('version', { required: !checking, pattern: VALUE_RULES.version });
  const environment = inputs.string('environment', { required: true });
  // A chain's entry takes its artifact from the previous environment's record (never a rebuild).
  const chain = starting ? readChainInputs(inputs, environment, version) : undefined;
  const artifactNeeded = starting && !checking && !chain;
  return {
    ...judging,
    ...fleet,
    mode,
    checking,
    pause,
    dryRun: inputs.boolean('dry-run'),
    version,
    environment,
    ...(chain ? { chain } : {}),
    batches,
    intervalMs,
    deployCommand,
    artifact: {
      name: inputs.string('artifact-name', { required: artifactNeeded, pattern: VALUE_RULES.name }),
      digest: inputs.string('artifact-digest', {
        required: artifactNeeded,
        pattern: { regex: /^$|^sha256:[0-9a-f]{64}$/, description: 'sha256:<64 hex digits>' },
      }),
      id: inputs.string('artifact-id', { pattern: { regex: /^\d{0,20}$/, description: 'a workflow artifact id' } }),
      runId: inputs.string('artifact-run-id', { pattern: { regex: /^\d{0,20}$/, description: 'a workflow run id' } }),
      releaseTag: inputs.string('release-tag', { pattern: VALUE_RULES.version }),
    },
    waitTimeoutMs: waitTimeoutFrom(inputs),
    trustedBranches: trustedBranchesFrom(inputs),
    trustedWorkflows: trustedWorkflowsFrom(inputs),
    token: inputs.string('github-token', { required: true }),
  };
}
