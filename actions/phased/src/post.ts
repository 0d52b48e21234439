/**
 * Post step (post-if: always): a phased release the main step left mid-way (job cancelled,
 * runner lost the process) gets the previous release back on every target it changed, and the
 * record settled either way, never left in_progress: what the fleet is, read back, is recorded.
 * When a trusted run of the suite took the release over (an abort by hand under way, or done),
 * the fleet is that run's: nothing is changed here.
 */
import {
  ActionError,
  Inputs,
  actionsLogger,
  errorLine,
  jobCancellation,
  readRunnerEnv,
  runAction,
  runner,
} from '@rollgate/kit';
import { createGitHub, trustedRecords } from '@rollgate/github';
import {
  describeStatus,
  fleetTruth,
  restorePrevious,
  trustedAbort,
  truthLine,
  type PhasedInflight,
} from '@rollgate/delivery';
import { fleetPorts, readPhasedInputs } from './inputs.js';
import { DEFAULTS } from './defaults.js';

await runAction(async () => {
  const saved = runner.getState('inflight');
  if (!saved) {
    runner.info('Phased release settled: nothing to undo.');
    return;
  }
  const state = JSON.parse(saved) as PhasedInflight;
  const inputs = readPhasedInputs(new Inputs((name) => runner.getInput(name), DEFAULTS));
  const env = readRunnerEnv();
  const repo = { owner: env.owner, repo: env.repo };
  const gh = createGitHub({ token: inputs.token, baseUrl: env.apiUrl, retries: 1, retryUnitMs: 200 });
  const records = await trustedRecords({
    gh,
    repo,
    environment: inputs.environment,
    trustedBranches: inputs.trustedBranches,
    trustedWorkflows: inputs.trustedWorkflows,
    runId: env.runId,
    logUrl: env.runUrl,
    logger: actionsLogger,
  });
  const { index, count } = state.batch;
  const over = await trustedAbort(records, state.deploymentId, actionsLogger);
  if (over) {
    runner.warning(
      `The phased release of ${state.version} was taken over by an abort by hand (${over.description}): the fleet is that run's, nothing is changed here.`,
    );
    return;
  }
  const ports = {
    ...fleetPorts(inputs, gh, env, jobCancellation()),
    logger: actionsLogger,
    maxParallel: inputs.maxParallel,
    ...(inputs.healthUrl ? { healthUrl: inputs.healthUrl } : {}),
    healthTimeoutMs: inputs.healthTimeoutMs,
  };
  try {
    await restorePrevious(state, ports);
  } catch (error) {
    await records.status(
      state.deploymentId,
      'error',
      describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }),
    );
    throw new ActionError(
      `The phased release of ${state.version} was left at batch ${index}/${count} and its roll back failed: ${errorLine(error)}. Targets ${state.changed.map((t) => t.name).join(', ')} may still run ${state.version}: reconcile the fleet (promote.yml kind: phased, action: reconcile).`,
    );
  }
  const previous = state.previous?.version ?? 'none';
  const truth = state.previous && state.changed.length ? await fleetTruth(state.changed, previous, ports) : undefined;
  const fleet = truth ? truthLine(truth, previous) : undefined;
  if (truth && !truth.consistent) {
    await records.status(
      state.deploymentId,
      'error',
      describeStatus({ kind: 'fleet-wrong', what: `cancelled at batch ${index}/${count}`, fleet: fleet ?? '' }),
    );
    throw new ActionError(
      `The phased release of ${state.version} was left at batch ${index}/${count}; its roll back ran but left the fleet wrong: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ')}.`,
    );
  }
  await records.status(
    state.deploymentId,
    'failure',
    describeStatus({
      kind: 'rolled-back',
      index,
      count,
      changed: state.changed.length,
      previous,
      reason: 'the job was cancelled',
      ...(fleet ? { fleet } : {}),
    }),
  );
  runner.warning(
    `The phased release of ${state.version} was left at batch ${index}/${count}: ${state.changed.length} target(s) are back on ${previous}${fleet ? ` (${fleet})` : ''}.`,
  );
});
