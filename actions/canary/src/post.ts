/**
 * Post step (post-if: always): a rollout the main step left mid-way (job cancelled, runner
 * lost the process, an error) gets all traffic back on stable and a failure status. Fast by
 * design: one traffic change and one API call, well inside the runner's cancel window.
 */
import * as core from '@actions/core';
import { Inputs, runAction } from '@rollgate/kit';
import { createGitHub, ReleaseRecords } from '@rollgate/github';
import type { InflightState } from '@rollgate/delivery';
import { trafficFromInputs } from '@rollgate/traffic';

await runAction(async () => {
  const saved = core.getState('inflight');
  if (!saved) {
    core.info('Canary settled: nothing to undo.');
    return;
  }
  const state = JSON.parse(saved) as InflightState;
  const inputs = new Inputs((name) => core.getInput(name));
  const traffic = trafficFromInputs(inputs);
  await traffic.setSplit({ stable: state.stable, canary: state.canary, canaryWeight: 0 });
  core.warning(`The canary of ${state.canary.version} was left at ${state.weight}%: all traffic is back on ${state.stable.version}.`);
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const token = inputs.string('github-token');
  if (token) {
    const records = new ReleaseRecords(createGitHub({ token, retries: 1, retryUnitMs: 200 }), { owner, repo }, inputs.string('environment'));
    await records.status(state.deploymentId, 'failure', `cancelled at ${state.weight}%: traffic back on ${state.stable.version}`);
  }
});
