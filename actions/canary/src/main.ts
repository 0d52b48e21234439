import {
  actionsLogger,
  ActionError,
  InputError,
  Inputs,
  checkPrograms,
  jobCancellation,
  readRunnerEnv,
  runAction,
  setOutputs,
  table,
  writeSummary,
  runner,
} from '@rollgate/kit';
import { apiFooter, apiStats, createGitHub, trustedRecords, type GitHub } from '@rollgate/github';
import {
  Cancelled,
  chainSection,
  checkReadable,
  enterChain,
  rolloutCharts,
  runCanary,
  trafficChart,
} from '@rollgate/delivery';
import { readCanaryInputs } from './inputs.js';
import { DEFAULTS } from './defaults.js';

const cancelled = jobCancellation();

/**
 * Mode check: every setting was read and validated above; the programs the rollout will run
 * must exist here (the deploy runner, with the repository checked out). Nothing is read from
 * GitHub and nothing is written: pipeline.yml runs it before the build, so a wrong setting
 * stops the pipeline before any tag or release.
 */
async function checkOnly(inputs: ReturnType<typeof readCanaryInputs>): Promise<void> {
  await checkPrograms([
    ...(inputs.traffic.programs ?? []),
    ...(inputs.deployCommand.length ? [{ input: 'deploy-command', argv: inputs.deployCommand }] : []),
  ]);
  await checkReadable(inputs.traffic);
  const where = inputs.slots.length
    ? `slots ${inputs.slots.map((s) => `${s.name}=${s.address}`).join(', ')}`
    : inputs.canary.address
      ? `canary-address ${inputs.canary.address}`
      : 'no canary address';
  runner.info(
    `Settings checked: ${inputs.traffic.name} traffic, ${inputs.checks.length} check(s), ${where}${inputs.deployCommand.length ? `, deploy command ${inputs.deployCommand[0]} found` : ''}.`,
  );
  setOutputs({ outcome: 'checked' });
}

/** The client of this run, for the summary's footer (what was asked of GitHub's API). */
let client: GitHub | undefined;

await runAction(
  async () => {
    const inputs = readCanaryInputs(new Inputs((name) => runner.getInput(name), DEFAULTS));
    for (const s of inputs.secrets) runner.setSecret(s);
    for (const w of inputs.warnings) runner.warning(w);
    if (inputs.checking) return await checkOnly(inputs);
    const env = readRunnerEnv();
    const { owner, repo } = env;
    const gh = createGitHub({ token: inputs.token, baseUrl: env.apiUrl });
    client = gh;
    const recordsOf = (environment: string) =>
      trustedRecords({
        gh,
        repo: { owner, repo },
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
    const artifactRef = entry
      ? entry.artifact
      : a.name && a.digest
        ? {
            name: a.name,
            digest: a.digest,
            run_id: a.runId || env.runId,
            ...(a.id ? { id: Number(a.id) } : {}),
            ...(a.releaseTag ? { release_tag: a.releaseTag, asset: `${a.name}.tar.gz` } : {}),
          }
        : undefined;
    const tag = entry ? entry.artifact.release_tag : a.releaseTag;
    if (inputs.deployCommand.length && !artifactRef)
      throw new InputError(
        'artifact-digest',
        'artifact-name and artifact-digest with deploy-command (the canary is deployed from its verified artifact)',
      );
    // Every program the rollout will run must exist before the first record, deploy or weight.
    if (!inputs.dryRun) {
      await checkPrograms([
        ...(inputs.traffic.programs ?? []),
        ...(inputs.deployCommand.length ? [{ input: 'deploy-command', argv: inputs.deployCommand }] : []),
      ]);
      await checkReadable(inputs.traffic);
    }
    try {
      const result = await runCanary({
        ...inputs,
        version,
        canary: { ...inputs.canary, version },
        // A carried release is recorded at its own commit (its artifact's), not at this run's head.
        ref: entry?.commit ?? (env.sha || 'HEAD'),
        ...(env.runId ? { run: { id: env.runId, attempt: env.runAttempt } } : {}),
        records,
        logUrl: env.runUrl,
        ...(env.runnerTemp ? { tempDir: env.runnerTemp } : {}),
        payload: {
          ...(tag ? { tag } : {}),
          commit: entry?.commit ?? env.sha,
          ...(artifactRef ? { artifact: artifactRef } : {}),
          ...(entry ? { promoted_from: entry.promotedFrom } : {}),
        },
        ...(inputs.deployCommand.length && artifactRef
          ? {
              deploy: {
                command: inputs.deployCommand,
                artifact: artifactRef,
                gh,
                token: inputs.token,
                repo: { owner, repo },
              },
            }
          : {}),
        logger: actionsLogger,
        inflight: (state) => runner.saveState('inflight', state ? JSON.stringify(state) : ''),
        signal: cancelled,
      });
      setOutputs({
        outcome: result.outcome,
        'deployment-id': result.deploymentId,
        weight: result.weight,
        'stable-version': result.stable.version,
        version,
        reason: result.verdict?.reason ?? '',
      });
      const seconds = Math.round((result.endedAt - result.startedAt) / 100) / 10;
      const icon = { promoted: '✅', paused: '⏸️', 'dry-run': '🔍', aborted: '🛑' }[result.outcome];
      await writeSummary(
        `## ${icon} Canary ${version}: ${result.outcome}\n\n` +
          (entry ? `${entry.line}\n\n` : '') +
          table(
            ['', ''],
            [
              ['environment', inputs.environment],
              ...(entry
                ? ([
                    [
                      'promoted from',
                      `${entry.promotedFrom.environment} (deployment ${entry.promotedFrom.deployment_id})`,
                    ],
                  ] as [string, string][])
                : []),
              ['stable', result.stable.version],
              ['deployment', String(result.deploymentId)],
              ['duration', `${seconds}s`],
              ...(result.verdict ? ([['reason', result.verdict.reason]] as [string, string][]) : []),
            ],
          ) +
          `\n${table(
            ['step', 'time', 'outcome', 'reason'],
            result.steps.map((s) => [`${s.weight}%`, s.at, s.outcome, s.reason ?? '']),
          )}` +
          rolloutCharts(trafficChart(result.steps), inputs.checks, result.readings ?? []) +
          (entry ? `\n${await chainSection([entry.from, records])}` : ''),
      );
      if (result.outcome === 'aborted' && inputs.mode !== 'abort')
        throw new ActionError(
          `Canary ${version} aborted: ${result.verdict?.reason}. All traffic is back on ${result.stable.version}.`,
        );
    } catch (error) {
      if (error instanceof Cancelled)
        throw new ActionError('Canary cancelled; the post step puts traffic back on stable.');
      throw error;
    }
  },
  { footer: () => (client ? apiFooter(apiStats(client)) : undefined) },
);
