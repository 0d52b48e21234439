import {
  ActionError,
  Inputs,
  actionsLogger,
  checkPrograms,
  jobCancellation,
  readRunnerEnv,
  runAction,
  setOutputs,
  writeSummary,
  runner,
} from '@rollgate/kit';
import { apiFooter, apiStats, createGitHub, trustedRecords, type GitHub } from '@rollgate/github';
import {
  Cancelled,
  chainSection,
  checkFleet,
  enterChain,
  phasedDryRun,
  runPhased,
  type PhasedConfig,
} from '@rollgate/delivery';
import { fleetPorts, readPhasedInputs } from './inputs.js';
import { DEFAULTS } from './defaults.js';
import { phasedSummary } from './summary.js';

const cancelled = jobCancellation();

/** The client of this run, for the summary's footer (what was asked of GitHub's API). */
let client: GitHub | undefined;

await runAction(
  async () => {
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
    if (!inputs.dryRun) await checkPrograms([{ input: 'deploy-command', argv: inputs.deployCommand }]);
    if (inputs.checking) {
      // Mode check (pipeline.yml's first job): the backend must hold every target at its address; nothing changes.
      await checkFleet(inputs.haproxy, inputs.targets);
      runner.info(
        `Settings checked: ${inputs.targets.length} targets in HAProxy backend ${inputs.haproxy.backend} on ${inputs.haproxy.sockets.length} instance(s), ${inputs.batches.length} batches, deploy command ${inputs.deployCommand[0]} found.`,
      );
      setOutputs({ outcome: 'checked' });
      return;
    }
    const gh = createGitHub({ token: inputs.token, baseUrl: env.apiUrl });
    client = gh;
    const recordsOf = (environment: string) =>
      trustedRecords({
        gh,
        repo,
        environment,
        trustedBranches: inputs.trustedBranches,
        trustedWorkflows: inputs.trustedWorkflows,
        ref: env.ref,
        logUrl: env.runUrl,
        runId: env.runId,
        logger: actionsLogger,
      });
    const records = await recordsOf(inputs.environment);
    const a = inputs.artifact;
    // In a chain: admitted from the previous environment, with the artifact it runs (chain/enter.ts).
    const entry = await enterChain(inputs.chain, {
      version: inputs.version,
      ...(a.digest ? { digest: a.digest } : {}),
      records: recordsOf,
      log: (line) => runner.info(line),
    });
    const version = entry?.version ?? inputs.version;
    const artifact = entry
      ? entry.artifact
      : {
          name: a.name,
          digest: a.digest,
          run_id: a.runId || env.runId,
          ...(a.id ? { id: Number(a.id) } : {}),
          ...(a.releaseTag ? { release_tag: a.releaseTag, asset: `${a.name}.tar.gz` } : {}),
        };
    const tag = entry ? entry.artifact.release_tag : a.releaseTag;
    const starting = inputs.mode === 'run';
    const { artifact: _named, batches, ...rest } = inputs;
    const config: PhasedConfig = {
      ...rest,
      version,
      ...(starting ? { batches, artifact } : batches.length ? { batches } : {}),
      // A carried release is recorded at its own commit (its artifact's), not at this run's head.
      ref: entry?.commit ?? (env.sha || 'HEAD'),
      ...fleetPorts(inputs, gh, env, cancelled),
      records,
      payload: {
        ...(tag ? { tag } : {}),
        commit: entry?.commit ?? env.sha,
        ...(entry ? { promoted_from: entry.promotedFrom } : {}),
      },
      ...(env.runId ? { run: { id: env.runId, attempt: env.runAttempt } } : {}),
      logUrl: env.runUrl,
      logger: actionsLogger,
      inflight: (state) => runner.saveState('inflight', state ? JSON.stringify(state) : ''),
      signal: cancelled,
    };
    if (inputs.dryRun) {
      const text = await phasedDryRun(config);
      runner.info(text);
      setOutputs({ outcome: 'dry-run', 'deployment-id': '', 'previous-version': '', reason: '', version });
      await writeSummary(
        `## 🔍 Phased release of ${version}: dry run (${inputs.mode})\n\n${entry ? `${entry.line}\n\n` : ''}${text}\n`,
      );
      return;
    }
    try {
      const result = await runPhased(config);
      setOutputs({
        outcome: result.outcome,
        'deployment-id': result.deploymentId,
        'previous-version': result.previous ?? '',
        reason: result.verdict?.reason ?? '',
        version,
      });
      await writeSummary(
        phasedSummary(version, result, inputs.checks, entry?.line) +
          (entry ? `\n${await chainSection([entry.from, records])}` : ''),
      );
      if (result.outcome === 'aborted' && (inputs.mode === 'run' || inputs.mode === 'continue'))
        throw new ActionError(
          `Phased release of ${version} was aborted by hand while this run moved it (${result.verdict?.reason}): the abort puts ${result.previous ?? 'the previous release'} back.`,
        );
      if (result.outcome === 'rolled-back')
        throw new ActionError(
          `Phased release of ${version} rolled back: ${result.verdict?.reason}. Every changed target is back on ${result.previous ?? 'nothing (no earlier release: they are out of the load balancer)'}.`,
        );
    } catch (error) {
      if (error instanceof Cancelled)
        throw new ActionError(
          'Phased release cancelled; the post step puts the previous release back on the changed targets.',
        );
      throw error;
    }
  },
  { footer: () => (client ? apiFooter(apiStats(client)) : undefined) },
);
