/**
 * Post step (post-if: always): a rollout the main step left mid-way (job cancelled, runner
 * lost the process, an error) gets all traffic back on stable and a failure status. Fast by
 * design: one traffic change and one API call, well inside the runner's cancel window.
 */
import * as core from '@actions/core';
import { ActionError, Inputs, errorLine, runAction } from '@rollgate/kit';
import { createGitHub, ReleaseRecords } from '@rollgate/github';
import type { InflightState } from '@rollgate/delivery';
import { describeStatus } from '@rollgate/delivery/status';
import { trafficFromInputs } from '@rollgate/traffic';

await runAction(async () => {
  const saved = core.getState('inflight');
  if (!saved) {
    core.info('Canary settled: nothing to undo.');
    return;
  }
  const state = JSON.parse(saved) as InflightState;
  const inputs = new Inputs((name) => core.getInput(name));
  // Whatever happens to the traffic, the record is settled: never left in_progress.
  let restored = false;
  let why = '';
  try {
    const traffic = trafficFromInputs(inputs);
    await traffic.setSplit({ stable: state.stable, canary: state.canary, canaryWeight: 0 });
    restored = true;
    core.warning(`The canary of ${state.canary.version} was left at ${state.weight}%: all traffic is back on ${state.stable.version}.`);
  } catch (error) {
    why = errorLine(error);
    core.error(`TRAFFIC NOT RESTORED: the canary of ${state.canary.version} may still get ${state.weight}% of requests; put it back on ${state.stable.version} by hand (${why}).`);
  }
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const token = inputs.string('github-token');
  if (token) {
    const records = new ReleaseRecords(createGitHub({ token, retries: 1, retryUnitMs: 200 }), { owner, repo }, inputs.string('environment'));
    if (restored) await records.status(state.deploymentId, 'failure', describeStatus({ kind: 'cancelled', weight: state.weight, stable: state.stable.version }));
    else await records.status(state.deploymentId, 'error', describeStatus({ kind: 'left', weight: state.weight, why }));
  }
  if (!restored) throw new ActionError(`Traffic could not be put back on ${state.stable.version}: ${why}`);
});
