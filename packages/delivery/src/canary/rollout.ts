/**
 * One run of the canary (run.ts starts it), as named steps: begin, then each weight advanced,
 * judged, promoted or paused; abort on a verdict against it; recover from any other failure.
 */
import { ActionError, Cancelled, errorLine, systemClock } from '@rollgate/kit';
import { Judge, type Verdict } from '@rollgate/analysis';
import type { Backend, Split } from '@rollgate/traffic';
import type { ReleaseRecords } from '@rollgate/github';
import { TrafficUnverified, confirmSplit } from '../slots/read-back.js';
import { commandDeployer } from '../artifact/deployer.js';
import { canaryAnswers } from '../fleet/health.js';
import { describeStatus } from '../records/status-codec.js';
import { retireReplaced } from '../records/state.js';
import { analyseStep } from '../judging/step.js';
import { openCanaryRecord } from './start.js';
import { findOpen, plan } from './state.js';
import type { CanaryConfig, CanaryResult, StepRecord } from './types.js';

/** The canary is deployed as each target of a phased release is: the one deployer (release-deployer.ts). */
function deployCanary(
  config: CanaryConfig,
  canary: Backend,
  deploy: NonNullable<CanaryConfig['deploy']>,
): Promise<void> {
  const deployer = commandDeployer({
    command: deploy.command,
    gh: deploy.gh,
    token: deploy.token,
    repo: deploy.repo,
    ...(config.tempDir ? { tempDir: config.tempDir } : {}),
    logger: config.logger,
  });
  return deployer.deploy(
    { name: 'canary', address: canary.address ?? '' },
    { version: config.version, artifact: deploy.artifact },
  );
}

/**
 * One run of the canary, as named steps: `begin` (resume a paused canary, abort it, or open a
 * new one and deploy it), then for each weight `advance` (the canary answers, nobody settled
 * it, the weight moves) and `promote`, `judgeStep` or `pause`; `abort` on a verdict against
 * it; `recover` on any other failure (traffic back, the record settled as error).
 */
export class CanaryRun {
  private readonly clock;
  private readonly startedAt: number;
  private readonly steps: StepRecord[] = [];
  private deploymentId = 0;
  private stable!: Backend;
  private canary: Backend;
  private rollout;
  private remaining: number[];
  private readonly judge: Judge;
  /** The weight the traffic was last moved to. */
  private at = 0;
  private promoted = false;

  constructor(private readonly config: CanaryConfig) {
    this.clock = config.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.canary = config.canary;
    this.rollout = plan(config);
    this.remaining = this.rollout.steps;
    this.judge = new Judge(config.checks, {
      failureLimit: config.failureLimit,
      inconclusiveLimit: config.inconclusiveLimit,
      alpha: config.alpha ?? 0.05,
      waitForData: config.minRequests !== undefined,
    });
  }

  async run(): Promise<CanaryResult> {
    const handled = await this.begin();
    if (handled) return handled;
    try {
      for (const weight of this.remaining) {
        const ended = await this.advance(weight);
        if (ended) return ended;
      }
    } catch (error) {
      return this.recover(error);
    }
    throw new ActionError('steps must end at 100');
  }

  private log(line: string): void {
    this.config.logger.info(line);
  }

  private statusOf(id: number, state: Parameters<ReleaseRecords['status']>[1], text: string) {
    const { records, logUrl } = this.config;
    return records.status(id, state, text, logUrl ? { logUrl } : {});
  }

  private status(state: Parameters<ReleaseRecords['status']>[1], text: string) {
    return this.statusOf(this.deploymentId, state, text);
  }

  private split(canaryWeight: number): Split {
    return { stable: this.stable, canary: this.canary, canaryWeight };
  }

  private stepRecord(weight: number, outcome: StepRecord['outcome'], reason?: string): void {
    this.steps.push({ weight, at: new Date(this.clock.now()).toISOString(), outcome, ...(reason ? { reason } : {}) });
  }

  /** The canary's result now: its steps and every reading the judge took. */
  private result(outcome: CanaryResult['outcome'], weight: number, verdict?: Verdict): CanaryResult {
    return {
      outcome,
      deploymentId: this.deploymentId,
      weight,
      stable: this.stable,
      ...(verdict ? { verdict } : {}),
      steps: this.steps,
      readings: this.judge.log,
      startedAt: this.startedAt,
      endedAt: this.clock.now(),
    };
  }

  /** Reads the split back (slots/read-back.ts); a wrong one ends the record as error, saying what is routed. */
  private async confirmOrRecord(split: Split): Promise<string> {
    try {
      return await confirmSplit(this.config.traffic, split);
    } catch (error) {
      if (error instanceof TrafficUnverified && this.deploymentId)
        await this.status('error', errorLine(error)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Where the run starts: promote and abort take up the paused canary (abort ends here), a new
   * run opens its record and deploys the canary. Returns a result when the run ends here.
   */
  private async begin(): Promise<CanaryResult | undefined> {
    const { config } = this;
    if (config.mode !== 'promote' && config.mode !== 'abort') {
      await this.open();
      return undefined;
    }
    const found = await findOpen(config);
    this.deploymentId = found.open.id;
    this.stable = found.stable;
    this.canary = found.canary;
    this.rollout = plan(config, found.open.payload.rollout);
    if (config.mode === 'abort') return this.abortByHand(found.weight);
    this.remaining = this.rollout.steps.filter((w) => w > found.weight);
    return undefined;
  }

  /** mode: abort: all traffic back on stable, the record failed "aborted by hand". */
  private async abortByHand(weight: number): Promise<CanaryResult> {
    const { config, stable, canary, deploymentId } = this;
    config.inflight({ deploymentId, canary, stable, weight });
    await config.traffic.setSplit(this.split(0));
    const routed = await this.confirmOrRecord(this.split(0));
    await this.status('failure', describeStatus({ kind: 'aborted-by-hand', weight, stable: stable.version }));
    config.inflight(undefined);
    this.log(`Aborted the canary of ${config.version}: traffic back on ${routed}.`);
    return {
      outcome: 'aborted',
      deploymentId,
      weight: 0,
      stable,
      steps: this.steps,
      startedAt: this.startedAt,
      endedAt: this.clock.now(),
      verdict: { check: 'manual', reason: 'aborted by hand' },
    };
  }

  /** A new canary: its record opened, marked starting, and the release deployed to it (a failed deploy fails the record). */
  private async open(): Promise<void> {
    const { config } = this;
    const status = (id: number, state: Parameters<ReleaseRecords['status']>[1], text: string) =>
      this.statusOf(id, state, text);
    const opened = await openCanaryRecord(config, this.canary, this.rollout, status, this.clock);
    this.deploymentId = opened.deploymentId;
    this.stable = opened.stable;
    this.canary = opened.canary;
    if (!opened.current) {
      this.log(
        `No stable release in ${config.records.environment} yet: ${config.version} goes to 100% without a comparison.`,
      );
      this.remaining = [100];
    }
    await this.status(
      'in_progress',
      describeStatus({ kind: 'starting', version: config.version, stable: this.stable.version }),
    );
    if (!config.deploy) return;
    try {
      await deployCanary(config, this.canary, config.deploy);
    } catch (error) {
      await this.status(
        'failure',
        describeStatus({ kind: 'deploy-failed', version: config.version, error: (error as Error).message }),
      );
      throw error;
    }
  }

  /**
   * One weight: the canary must answer first, and nobody may have settled it meanwhile (an
   * abort by hand from promote.yml runs beside this run); then the traffic moves, and the step
   * promotes, or is judged (and pauses for a manual gate in mode start). A result ends the run.
   */
  private async advance(weight: number): Promise<CanaryResult | undefined> {
    const { config } = this;
    const target = {
      ...(this.canary.address && config.traffic.addressesReachable ? { address: this.canary.address } : {}),
      ...(config.healthUrl ? { healthUrl: config.healthUrl } : {}),
    };
    const dead = await canaryAnswers(target, Math.min(config.metricsTimeoutMs ?? 10_000, 5000), config.signal);
    if (dead)
      return this.abort(
        { check: 'canary health', reason: `the canary does not answer before ${weight}%: ${dead}` },
        weight,
        'before',
      );
    const elsewhere = await this.settledElsewhere();
    if (elsewhere) return elsewhere;
    this.at = weight;
    config.inflight({ deploymentId: this.deploymentId, canary: this.canary, stable: this.stable, weight });
    await config.traffic.setSplit(this.split(weight));
    const raced = await this.settledElsewhere(true);
    if (raced) return raced;
    if (weight === 100) return this.promote();
    const verdict = await this.judgeStep(weight);
    if (verdict) return this.abort(verdict, weight, 'at');
    this.stepRecord(weight, 'passed');
    if (config.mode === 'start') return this.pause(weight);
    return undefined;
  }

  /** All traffic on the canary, read back; the record succeeds and the deployments it replaced go inactive. */
  private async promote(): Promise<CanaryResult> {
    const { config } = this;
    const routed = await confirmSplit(config.traffic, this.split(100));
    await this.status('success', describeStatus({ kind: 'promoted', version: config.version }));
    this.promoted = true;
    config.inflight(undefined);
    this.stepRecord(100, 'promoted');
    const retired = await retireReplaced(config.records, this.deploymentId);
    this.log(
      `Promoted ${config.version}: all traffic on ${routed}${retired.length ? `; marked ${retired.length} older deployment(s) inactive` : ''}.`,
    );
    return this.result('promoted', 100);
  }

  /** The step's status, then every check sampled through the step interval: a verdict against the canary, or none. */
  private async judgeStep(weight: number): Promise<Verdict | undefined> {
    const { config } = this;
    await this.status(
      'in_progress',
      describeStatus({
        kind: 'step',
        weight,
        version: config.version,
        stable: this.stable.version,
        checks: config.checks.length,
      }),
    );
    this.log(`Canary at ${weight}%: judging for ${this.rollout.intervalText}.`);
    return analyseStep(config, { ...this.rollout, label: `${weight}%` }, this.judge, this.stable);
  }

  /** mode: start: the canary waits at this weight for promote.yml. */
  private async pause(weight: number): Promise<CanaryResult> {
    await this.status('in_progress', describeStatus({ kind: 'paused', weight }));
    this.config.inflight(undefined);
    this.log(`Paused at ${weight}% for a manual gate: run again with mode: promote or mode: abort.`);
    this.steps[this.steps.length - 1] = { ...(this.steps.at(-1) as StepRecord), outcome: 'paused' };
    return this.result('paused', weight);
  }

  /** Someone else settled this canary (an abort by hand from promote.yml, beside this run): it already put the traffic back. */
  private async settledElsewhere(moved = false): Promise<CanaryResult | undefined> {
    const { config } = this;
    const latest = await config.records.latest(this.deploymentId);
    if (latest.state === 'in_progress') return undefined;
    // The abort landed between this run's check and its move: undo the move.
    if (moved) await config.traffic.setSplit(this.split(0));
    config.inflight(undefined);
    this.log(
      `The canary of ${config.version} was settled by someone else (${latest.state}: ${latest.description}): stopping${moved ? ', traffic back on stable' : ' without moving traffic'}.`,
    );
    const verdict = { check: 'manual', reason: `settled by someone else: ${latest.description || latest.state}` };
    return this.result('aborted', 0, verdict);
  }

  /** A verdict against the canary (at a step, or before the next one): all traffic back on stable, the record settled. */
  private async abort(verdict: Verdict, weight: number, when: 'at' | 'before'): Promise<CanaryResult> {
    const elsewhere = await this.settledElsewhere();
    if (elsewhere) return elsewhere;
    this.stepRecord(weight, 'failed', verdict.reason);
    if (this.at > 0) await this.config.traffic.setSplit(this.split(0));
    const routed = await this.confirmOrRecord(this.split(0));
    await this.status('failure', describeStatus({ kind: 'aborted', weight: this.at, reason: verdict.reason }));
    this.config.inflight(undefined);
    this.log(`Canary failed ${when} ${weight}%: ${verdict.reason}. All traffic back on ${routed}.`);
    return this.result('aborted', 0, verdict);
  }

  /**
   * Cancellation is the post step's (the in-flight state is saved). Any other failure mid-way
   * puts the traffic back and settles the record here: never left in_progress.
   */
  private async recover(error: unknown): Promise<never> {
    if (error instanceof Cancelled || this.promoted) throw error;
    let trafficNote: string;
    try {
      await this.config.traffic.setSplit(this.split(0));
      trafficNote = `traffic back on ${await confirmSplit(this.config.traffic, this.split(0))}`;
      this.config.inflight(undefined);
    } catch (restore) {
      trafficNote = `traffic NOT restored (${errorLine(restore)}): the post step tries again`;
    }
    await this.status(
      'error',
      describeStatus({ kind: 'failed', weight: this.at, error: errorLine(error), traffic: trafficNote }),
    ).catch(() => undefined);
    throw error;
  }
}
