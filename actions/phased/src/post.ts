/**
 * Post step (post-if: always): a phased release the main step left mid-way (job cancelled,
 * runner lost the process) gets the previous release back on every target it changed, and the
 * record settled either way, never left in_progress.
 */
import { ActionError, Inputs, actionsLogger, errorLine, readRunnerEnv, runAction, runner } from '@rollgate/kit';
import { createGitHub, ReleaseRecords } from '@rollgate/github';
import { describeStatus, restorePrevious, type PhasedInflight } from '@rollgate/delivery';
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
  const records = new ReleaseRecords(gh, repo, inputs.environment, actionsLogger);
  const { index, count } = state.batch;
  try {
    await restorePrevious(state, {
      ...fleetPorts(inputs, gh, env),
      logger: actionsLogger,
      ...(inputs.healthUrl ? { healthUrl: inputs.healthUrl } : {}),
      healthTimeoutMs: inputs.healthTimeoutMs,
    });
  } catch (error) {
    await records.status(
      state.deploymentId,
      'error',
      describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }),
    );
    throw new ActionError(
      `The phased release of ${state.version} was left at batch ${index}/${count} and its roll back failed: ${errorLine(error)}. Targets ${state.changed.map((t) => t.name).join(', ')} may still run ${state.version}.`,
    );
  }
  const previous = state.previous?.version ?? 'none';
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
    }),
  );
  runner.warning(
    `The phased release of ${state.version} was left at batch ${index}/${count}: ${state.changed.length} target(s) are back on ${previous}.`,
  );
});
