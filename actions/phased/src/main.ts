import {
  ActionError,
  Inputs,
  actionsLogger,
  checkPrograms,
  jobCancellation,
  readRunnerEnv,
  runAction,
  setOutputs,
  table,
  writeSummary,
  runner,
} from '@rollgate/kit';
import { createGitHub, trustedRecords } from '@rollgate/github';
import { Cancelled, batchChart, rolloutCharts, runPhased } from '@rollgate/delivery';
import { fleetPorts, readPhasedInputs } from './inputs.js';
import { DEFAULTS } from './defaults.js';

const cancelled = jobCancellation();

await runAction(async () => {
  const inputs = readPhasedInputs(new Inputs((name) => runner.getInput(name), DEFAULTS));
  for (const s of inputs.secrets) runner.setSecret(s);
  for (const w of inputs.warnings) runner.warning(w);
  if (!inputs.checks.length)
    runner.warning(
      'No metrics: each batch is judged by its health checks only (set metrics to judge the new version).',
    );
  const env = readRunnerEnv();
  const repo = { owner: env.owner, repo: env.repo };
  // Every program the release runs must exist before the first record, drain or deploy.
  await checkPrograms([{ input: 'deploy-command', argv: inputs.deployCommand }]);
  const gh = createGitHub({ token: inputs.token, baseUrl: env.apiUrl });
  const records = await trustedRecords({
    gh,
    repo,
    environment: inputs.environment,
    trustedBranches: inputs.trustedBranches,
    runId: env.runId,
    logger: actionsLogger,
  });
  const a = inputs.artifact;
  const artifact = {
    name: a.name,
    digest: a.digest,
    run_id: a.runId || env.runId,
    ...(a.id ? { id: Number(a.id) } : {}),
    ...(a.releaseTag ? { release_tag: a.releaseTag, asset: `${a.name}.tar.gz` } : {}),
  };
  try {
    const result = await runPhased({
      ...inputs,
      ref: env.sha || 'HEAD',
      artifact,
      ...fleetPorts(inputs, gh, env),
      records,
      payload: { ...(a.releaseTag ? { tag: a.releaseTag } : {}), commit: env.sha },
      ...(env.runId ? { run: { id: env.runId, attempt: env.runAttempt } } : {}),
      logUrl: env.runUrl,
      logger: actionsLogger,
      inflight: (state) => runner.saveState('inflight', state ? JSON.stringify(state) : ''),
      signal: cancelled,
    });
    setOutputs({
      outcome: result.outcome,
      'deployment-id': result.deploymentId,
      'previous-version': result.previous ?? '',
      reason: result.verdict?.reason ?? '',
    });
    const icon = result.outcome === 'released' ? '✅' : '↩️';
    await writeSummary(
      `## ${icon} Phased release of ${inputs.version}: ${result.outcome}\n\n` +
        table(
          ['batch', 'targets', 'outcome', 'reason'],
          result.batches.map((b) => [
            `${b.index}/${inputs.batches.length}`,
            b.targets.join(', '),
            b.outcome,
            b.reason ?? '',
          ]),
        ) +
        `\n${table(
          ['target', 'address', 'version'],
          inputs.targets.map((t) => [
            t.name,
            t.address,
            result.outcome === 'released' ? inputs.version : (result.previous ?? 'out of the load balancer'),
          ]),
        )}` +
        rolloutCharts(batchChart(result.batches, inputs.batches.length), inputs.checks, result.readings),
    );
    if (result.outcome === 'rolled-back')
      throw new ActionError(
        `Phased release of ${inputs.version} rolled back: ${result.verdict?.reason}. Every changed target is back on ${result.previous ?? 'nothing (no earlier release: they are out of the load balancer)'}.`,
      );
  } catch (error) {
    if (error instanceof Cancelled)
      throw new ActionError(
        'Phased release cancelled; the post step puts the previous release back on the changed targets.',
      );
    throw error;
  }
});
