import {
  actionsLogger,
  InputError,
  Inputs,
  VALUE_RULES,
  readRunnerEnv,
  runAction,
  setOutputs,
  splitArgs,
  table,
  writeSummary,
  runner,
} from '@rollgate/kit';
import {
  apiFooter,
  apiStats,
  createGitHub,
  trustedBranchesFrom,
  trustedRecords,
  trustedWorkflowsFrom,
  type GitHub,
} from '@rollgate/github';
import { trafficFromInputs } from '@rollgate/traffic';
import {
  checkReadable,
  fleetPorts,
  parseSlots,
  readFleetInputs,
  runRollback,
  waitTimeoutFrom,
} from '@rollgate/delivery';
import { DEFAULTS } from './defaults.js';

/** The client of this run, for the summary's footer (what was asked of GitHub's API). */
let client: GitHub | undefined;

await runAction(
  async () => {
    const inputs = new Inputs((name) => runner.getInput(name), DEFAULTS);
    const environment = inputs.string('environment', { required: true });
    const toVersion = inputs.string('to-version', { pattern: VALUE_RULES.version });
    const toDeploymentText = inputs.string('to-deployment');
    if (toVersion && toDeploymentText)
      throw new InputError('to-deployment', 'to be empty when to-version is given (one target)');
    const toDeployment = toDeploymentText ? inputs.integer('to-deployment', { min: 1 }) : undefined;
    const dryRun = inputs.boolean('dry-run');
    const deployCommand = splitArgs(inputs.string('deploy-command', { required: !dryRun }));
    // A fleet: the release goes back on each target in turn (HAProxy drain and ready), not one deploy and a traffic move.
    const fleet = inputs.string('targets') ? readFleetInputs(inputs) : undefined;
    if (fleet && inputs.raw('traffic-provider'))
      throw new InputError(
        'traffic-provider',
        'to be empty with targets (the fleet is drained and readied over haproxy-socket)',
      );
    if (fleet && !deployCommand.length && !dryRun)
      throw new InputError('deploy-command', 'the program that deploys a release on one target (targets is set)');
    const traffic = inputs.raw('traffic-provider') ? trafficFromInputs(inputs) : undefined;
    const targetAddress = inputs.string('target-address', { pattern: VALUE_RULES.address });
    const slots = parseSlots(inputs.string('slots'));
    if (slots.length && targetAddress)
      throw new InputError('target-address', 'to be empty with slots (the suite picks the free slot)', targetAddress);
    if (slots.length && fleet) throw new InputError('slots', 'to be empty with targets (a fleet has no slots)');
    const token = inputs.string('github-token', { required: true });
    const waitTimeoutMs = waitTimeoutFrom(inputs);
    const branches = trustedBranchesFrom(inputs);
    const trafficToken = inputs.string('traffic-token');
    if (trafficToken) runner.setSecret(trafficToken);
    // The split it will set must be readable before anything is deployed or moved.
    if (traffic && !dryRun) await checkReadable(traffic);

    const env = readRunnerEnv();
    const { owner, repo } = env;
    const gh = createGitHub({ token, baseUrl: env.apiUrl });
    client = gh;
    const result = await runRollback({
      records: await trustedRecords({
        gh,
        repo: { owner, repo },
        environment,
        trustedBranches: branches,
        trustedWorkflows: trustedWorkflowsFrom(inputs),
        ref: env.ref,
        logUrl: env.runUrl,
        runId: env.runId,
        logger: actionsLogger,
      }),
      run: { id: env.runId, attempt: env.runAttempt },
      ...(env.runnerTemp ? { tempDir: env.runnerTemp } : {}),
      waitTimeoutMs,
      gh,
      token,
      repo: { owner, repo },
      ...(toVersion ? { toVersion } : {}),
      ...(toDeployment ? { toDeployment } : {}),
      dryRun,
      deployCommand,
      ...(traffic ? { traffic } : {}),
      ...(targetAddress ? { targetAddress } : {}),
      slots,
      ...(fleet
        ? {
            fleet: {
              targets: fleet.targets,
              ports: {
                ...fleetPorts(
                  { haproxy: fleet.haproxy, deployCommand, deployTimeoutMs: fleet.deployTimeoutMs, token },
                  gh,
                  env,
                ),
                maxParallel: fleet.maxParallel,
                logger: actionsLogger,
                healthTimeoutMs: fleet.healthTimeoutMs,
                ...(fleet.healthUrl ? { healthUrl: fleet.healthUrl } : {}),
              },
            },
          }
        : {}),
      logUrl: env.runUrl,
      logger: actionsLogger,
    });
    setOutputs({
      version: result.version,
      'deployment-id': result.deploymentId,
      'artifact-digest': result.digest,
      'replaced-version': result.current.payload.version,
    });
    await writeSummary(
      `## ↩️ Rollback of ${environment}${dryRun ? ' (dry run)' : ''}\n\n` +
        table(
          ['', ''],
          [
            ['from', `${result.current.payload.version} (deployment ${result.current.id})`],
            ['to', `${result.version} (deployment ${result.target.id})`],
            ['artifact', `${result.source}`],
            ['digest', `\`${result.digest}\` (verified)`],
            ['recorded as', result.deploymentId ? `deployment ${result.deploymentId}` : 'nothing (dry run)'],
          ],
        ),
    );
  },
  { footer: () => (client ? apiFooter(apiStats(client)) : undefined) },
);
