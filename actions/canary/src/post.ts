/**
 * Post step (post-if: always): a rollout the main step left mid-way (job cancelled, runner
 * lost the process, an error) gets all traffic back on stable and a failure status. Fast by
 * design: one traffic change and one API call, well inside the runner's cancel window.
 */
import { actionsLogger, ActionError, Inputs, readRunnerEnv, runAction, runner } from '@rollgate/kit';
import { createGitHub, ReleaseRecords } from '@rollgate/github';
import type { InflightState } from '@rollgate/delivery';
import { settleInflight } from '@rollgate/delivery/settle';
import { trafficFromInputs } from '@rollgate/traffic';
import { DEFAULTS } from './defaults.js';

await runAction(async () => {
  const saved = runner.getState('inflight');
  if (!saved) {
    runner.info('Canary settled: nothing to undo.');
    return;
  }
  const state = JSON.parse(saved) as InflightState;
  const inputs = new Inputs((name) => runner.getInput(name), DEFAULTS);
  const env = readRunnerEnv();
  const token = inputs.string('github-token');
  const records = token
    ? new ReleaseRecords(
        createGitHub({ token, baseUrl: env.apiUrl, retries: 1, retryUnitMs: 200 }),
        { owner: env.owner, repo: env.repo },
        inputs.string('environment'),
      )
    : undefined;
  const settled = await settleInflight(state, {
    traffic: () => trafficFromInputs(inputs),
    ...(records ? { records } : {}),
    logger: actionsLogger,
  });
  if (!settled.restored)
    throw new ActionError(`Traffic could not be put back on ${state.stable.version}: ${settled.why}`);
});
