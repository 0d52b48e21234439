/**
 * One run of a phased release's batches (run.ts starts it): for each batch, drain, deploy, wait
 * healthy, back in, judge; the manual gate; the release read back; the roll back of a failed
 * batch. Each step is a method of Rollout.
 */
import { ActionError, Cancelled, errorLine, formatDuration, systemClock, type Clock } from '@rollgate/kit';
import { Judge, type Verdict } from '@rollgate/analysis';
import type { ArtifactRef, PhasedPause } from '@rollgate/github';
import type { Target } from '../fleet/plan.js';
import { inParallel, restorePrevious, waitHealthy } from '../fleet/converge.js';
import { fleetTruth, probeTarget, truthLine } from '../fleet/facts.js';
import type { BatchRecord, PhasedConfig, PhasedInflight, PhasedResult, Release } from './types.js';
import { describeStatus } from '../records/status-codec.js';
import { retireReplaced } from '../records/state.js';
import { trustedAbort } from './statuses.js';
import { analyseStep } from '../judging/step.js';

const names = (targets: Target[]) => targets.map((t) => t.name);

/** The roll back of a failed batch failed too: nothing more to try here, the error goes up as it is. */
class RollbackFailed extends ActionError {}

/** What the batches run from: the record, the plan and where it stands (a new release, or one continued at its gate). */
export interface Course {
  deploymentId: number;
  previous?: Release;
  batches: Target[][];
  intervalMs: number;
  pause: PhasedPause;
  /** Batches already finished by an earlier run (continue). */
  done: number;
  artifact?: ArtifactRef;
}

/** One run of a phased release's batches, step by step (each step a method a reader can follow). */
export class Rollout {
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly judge: Judge;
  private readonly targets: Target[];
  /** Targets on the new version (or half-deployed): what a roll back puts back. */
  private readonly changed: Target[];
  /** Targets this run holds out of the load balancer now. */
  private drained: Target[] = [];
  private readonly batches: BatchRecord[];
  private index: number;

  constructor(
    private readonly config: PhasedConfig,
    private readonly course: Course,
  ) {
    this.clock = config.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.judge = new Judge(config.checks, {
      failureLimit: config.failureLimit,
      inconclusiveLimit: config.inconclusiveLimit,
      alpha: config.alpha ?? 0.05,
      waitForData: config.minRequests !== undefined,
      roles: { canary: 'the new version', stable: 'the old version' },
    });
    this.targets = course.batches.flat();
    // A continued release starts with the batches its earlier runs finished on the new version.
    this.changed = course.batches.slice(0, course.done).flat();
    this.batches = course.batches
      .slice(0, course.done)
      .map((b, i) => ({ index: i + 1, targets: names(b), outcome: 'released' }));
    this.index = course.done;
  }

  private get count(): number {
    return this.course.batches.length;
  }

  async run(): Promise<PhasedResult> {
    for (const [i, batch] of this.course.batches.entries()) {
      const index = i + 1;
      if (index <= this.course.done) continue;
      this.index = index;
      try {
        const stopped = await this.abortedByHand();
        if (stopped) return stopped;
        await this.reassert();
        const failed = await this.timed('changed', () => this.changeBatch(batch));
        if (failed) return await this.rollBack(failed.reason, failed);
        await this.recordBatch(batch);
        const verdict = await this.timed('judged', () => this.judgeBatch());
        if (verdict) return await this.rollBack(verdict.reason, verdict);
        this.batches.push({ index, targets: names(batch), outcome: 'released' });
        if (this.gateAfter(index)) return await this.pause();
      } catch (error) {
        if (error instanceof StoppedByAbort) return error.result;
        // Cancellation is the post step's (the in-flight state is saved).
        if (error instanceof Cancelled || error instanceof RollbackFailed) throw error;
        return await this.rollBack(errorLine(error));
      }
    }
    return this.release();
  }

  /** Runs one step of a batch and says in the debug log how long it took. */
  private async timed<T>(what: string, step: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await step();
    } finally {
      this.config.logger.debug(`batch ${this.index}/${this.count}: ${what} in ${Date.now() - started} ms`);
    }
  }

  /** Saves what the post step would undo: the changed and drained targets, the release to go back to. */
  private save(): void {
    const state: PhasedInflight = {
      deploymentId: this.course.deploymentId,
      version: this.config.version,
      changed: [...this.changed],
      drained: [...this.drained],
      batch: { index: this.index, count: this.count },
      ...(this.course.previous ? { previous: this.course.previous } : {}),
    };
    this.config.inflight(state);
  }

  private status(state: 'in_progress' | 'success' | 'failure' | 'error', text: string): Promise<void> {
    return this.config.records.status(this.course.deploymentId, state, text);
  }

  /**
   * Before a batch: what the load balancer holds is what this run left it (an HAProxy restarted
   * without its runtime state puts drained servers back in rotation: the drains are re-applied).
   */
  private async reassert(): Promise<void> {
    const out = this.drained;
    const back = this.changed.filter((t) => !out.some((d) => d.name === t.name));
    for (const line of await this.config.fleet.enforce(out, back)) this.config.logger.warning(line);
  }

  /** Drain, deploy (in parallel up to max-parallel, each bounded), wait healthy on the new version, back in: why it failed, or undefined. */
  private async changeBatch(batch: Target[]): Promise<Verdict | undefined> {
    const { config } = this;
    this.drained = batch;
    this.save();
    await this.timed('drained', () => config.fleet.drain(batch));
    const release = { version: config.version, ...(this.course.artifact ? { artifact: this.course.artifact } : {}) };
    try {
      // One at a time, the record is read before each target (an abort stops the run there);
      // deploys at once read it once, before the batch's deploys start.
      const parallel = config.maxParallel ?? 1;
      if (parallel > 1) {
        const stop = await this.abortedByHand();
        if (stop) throw new StoppedByAbort(stop);
      }
      await inParallel(batch, parallel, async (t) => {
        const stop = parallel > 1 ? undefined : await this.abortedByHand();
        if (stop) throw new StoppedByAbort(stop);
        this.changed.push(t);
        this.save();
        config.logger.info(`Deploying ${config.version} to ${t.name} (${t.address}).`);
        try {
          await config.deployer.deploy(t, release);
        } catch (error) {
          if (error instanceof Cancelled) throw error;
          throw new DeployFailed(`deploy to ${t.name} failed: ${errorLine(error)}`);
        }
      });
    } catch (error) {
      if (error instanceof DeployFailed) return { check: 'deploy', reason: error.message };
      throw error;
    }
    // An HAProxy that restarted while the batch deployed put its targets back in rotation: out again before they are waited for.
    await this.reassert();
    const unhealthy = await this.timed('healthy', () => waitHealthy(config, batch, config.version));
    if (unhealthy) return { check: 'health', reason: unhealthy };
    await this.timed('ready', () => config.fleet.ready(batch));
    this.drained = [];
    this.save();
    return undefined;
  }

  private async recordBatch(batch: Target[]): Promise<void> {
    await this.status(
      'in_progress',
      describeStatus({
        kind: 'batch',
        index: this.index,
        count: this.count,
        version: this.config.version,
        changed: this.changed.length,
        total: this.targets.length,
        targets: names(batch),
      }),
    );
    this.config.logger.info(
      `Batch ${this.index}/${this.count}: ${names(batch).join(', ')} on ${this.config.version} (${this.changed.length} of ${this.targets.length}); judging for ${formatDuration(this.course.intervalMs)}.`,
    );
  }

  /**
   * The batch's interval: its metrics (early looks each scrape, as the batch just went back in),
   * and at every sample every changed target: it must answer, report the new version and stay in rotation.
   */
  private async judgeBatch(): Promise<Verdict | undefined> {
    const { config } = this;
    const watch = () => this.watchChanged();
    if (config.checks.length)
      return analyseStep(
        config,
        {
          intervalMs: this.course.intervalMs,
          label: `batch ${this.index}`,
          earlyLookMs: config.scrapeIntervalMs ?? 15_000,
          watch,
        },
        this.judge,
        { version: this.course.previous?.version ?? 'none' },
      );
    // Without metrics the batch still bakes for the interval, its changed targets watched.
    const every = Math.max(1000, Math.floor(this.course.intervalMs / Math.max(1, config.samplesPerStep)));
    const ends = this.clock.now() + this.course.intervalMs;
    while (this.clock.now() < ends) {
      await this.clock.sleep(Math.min(every, ends - this.clock.now()), config.signal);
      const verdict = await watch();
      if (verdict) return verdict;
    }
    return undefined;
  }

  /** Every target changed so far still answers on the new version and is in rotation (checked at every sample and before success). */
  private async watchChanged(): Promise<Verdict | undefined> {
    if (!this.changed.length) return undefined;
    await this.reassert();
    const held = new Map((await this.config.fleet.inspect(this.changed)).map((p) => [p.name, p]));
    for (const t of this.changed) {
      const pool = held.get(t.name);
      if (pool && !pool.inRotation && !this.drained.some((d) => d.name === t.name))
        return { check: 'fleet', reason: `${t.name} left the load balancer's rotation (${pool.detail})` };
      const answer = await probeTarget(t, this.config);
      if (answer.why)
        return { check: 'health', reason: `${t.name}, already released, stopped answering: ${answer.why}` };
      if (answer.version && answer.version !== this.config.version)
        return {
          check: 'health',
          reason: `${t.name}, already released, reports ${answer.version}, not ${this.config.version}`,
        };
    }
    return undefined;
  }

  private gateAfter(index: number): boolean {
    const { pause, done } = this.course;
    return index < this.count && (pause === 'manual' || (pause === 'first' && index === 1 && done === 0));
  }

  /** The manual gate: the release waits, settled for now, for promote.yml to continue or abort it. */
  private async pause(): Promise<PhasedResult> {
    const stopped = await this.abortedByHand();
    if (stopped) return stopped;
    await this.status(
      'in_progress',
      describeStatus({
        kind: 'phased-paused',
        index: this.index,
        count: this.count,
        changed: this.changed.length,
        total: this.targets.length,
        version: this.config.version,
      }),
    );
    this.config.inflight(undefined);
    this.config.logger.info(
      `Paused after batch ${this.index}/${this.count} for the manual gate: continue with promote.yml (kind: phased, action: promote) or abort (action: abort).`,
    );
    return this.result('paused');
  }

  /** Every batch passed: the fleet read back; released only if every target serves the new version. */
  private async release(): Promise<PhasedResult> {
    const stopped = await this.abortedByHand();
    if (stopped) return stopped;
    await this.reassert();
    const watched = await this.watchChanged();
    if (watched) return this.rollBack(watched.reason, watched);
    const truth = await fleetTruth(this.targets, this.config.version, this.config);
    const line = truthLine(truth, this.config.version);
    if (!truth.consistent) {
      await this.status(
        'error',
        describeStatus({ kind: 'fleet-wrong', what: `released ${this.config.version}`, fleet: line }),
      );
      throw new ActionError(
        `Phased release of ${this.config.version}: every batch passed, but the fleet is not as it should be: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ')}. Reconcile it (promote.yml kind: phased, action: reconcile) or roll back.`,
      );
    }
    await this.status(
      'success',
      describeStatus({ kind: 'released', version: this.config.version, total: this.targets.length, fleet: line }),
    );
    this.config.inflight(undefined);
    const retired = await retireReplaced(this.config.records, this.course.deploymentId);
    this.config.logger.info(
      `Released ${this.config.version} on all ${this.targets.length} targets (${line})${retired.length ? `; marked ${retired.length} older deployment(s) inactive` : ''}.`,
    );
    return this.result('released', undefined, truth);
  }

  /** Stops the release: the previous release back on every changed target, the fleet read back, the record settled. */
  private async rollBack(reason: string, verdict?: Verdict): Promise<PhasedResult> {
    const stopped = await this.abortedByHand();
    if (stopped) return stopped;
    const { config, index, count } = this;
    config.logger.warning(`Batch ${index}/${count} failed: ${reason}. Rolling back ${this.changed.length} target(s).`);
    this.batches.push({ index, targets: names(this.course.batches[index - 1] ?? []), outcome: 'failed', reason });
    const previous = this.course.previous;
    try {
      await restorePrevious(
        {
          deploymentId: this.course.deploymentId,
          version: config.version,
          changed: [...this.changed],
          drained: [...this.drained],
          batch: { index, count },
          ...(previous ? { previous } : {}),
        },
        config,
      );
    } catch (error) {
      await this.status('error', describeStatus({ kind: 'rollback-failed', index, count, error: errorLine(error) }));
      throw new RollbackFailed(
        `Batch ${index}/${count} failed (${reason}) and the roll back failed too: ${errorLine(error)}. Targets ${names(this.changed).join(', ')} may still run ${config.version}: reconcile the fleet (promote.yml kind: phased, action: reconcile).`,
      );
    }
    const touched = previous ? [...this.changed] : [];
    const truth = touched.length ? await fleetTruth(touched, previous?.version, config) : undefined;
    const fleet = truth ? truthLine(truth, previous?.version) : undefined;
    if (truth && !truth.consistent) {
      await this.status(
        'error',
        describeStatus({ kind: 'fleet-wrong', what: `rolled back at batch ${index}/${count}`, fleet: fleet ?? '' }),
      );
      throw new RollbackFailed(
        `Batch ${index}/${count} failed (${reason}); the roll back ran but left the fleet wrong: ${truth.wrong.map((w) => `${w.name} (${w.why})`).join('; ')}.`,
      );
    }
    await this.status(
      'failure',
      describeStatus({
        kind: 'rolled-back',
        index,
        count,
        changed: this.changed.length,
        previous: previous?.version ?? 'none',
        reason,
        ...(fleet ? { fleet } : {}),
      }),
    );
    config.inflight(undefined);
    return this.result('rolled-back', verdict ?? { check: 'deploy', reason }, truth);
  }

  /**
   * An abort by hand (promote.yml) took this release over: it puts the previous release back
   * itself, so this run stops where it is and changes nothing more. Only a status a trusted run
   * of the suite wrote counts (anyone with deployments: write can post one); the in-flight state
   * stays saved, and the post step leaves the fleet to the abort while the abort is trusted.
   */
  private async abortedByHand(): Promise<PhasedResult | undefined> {
    const by = await trustedAbort(this.config.records, this.course.deploymentId, this.config.logger);
    if (!by) return undefined;
    this.config.logger.warning(
      `The phased release of ${this.config.version} was aborted by hand (${by.description}): stopping here.`,
    );
    return this.result('aborted', { check: 'manual', reason: `aborted by hand: ${by.description}` });
  }

  private result(outcome: PhasedResult['outcome'], verdict?: Verdict, truth?: PhasedResult['fleet']): PhasedResult {
    return {
      outcome,
      deploymentId: this.course.deploymentId,
      plan: this.course.batches,
      onNew: outcome === 'released' || outcome === 'paused' ? names(this.changed) : [],
      ...(this.course.previous ? { previous: this.course.previous.version } : {}),
      batches: this.batches,
      ...(verdict ? { verdict } : {}),
      ...(truth ? { fleet: truth } : {}),
      readings: this.judge.log,
      startedAt: this.startedAt,
      endedAt: this.clock.now(),
    };
  }
}

/** A deploy of the batch failed (named by its target). */
class DeployFailed extends Error {}

/** A deploy lane found the release aborted by hand: the batch stops there. */
class StoppedByAbort extends Error {
  constructor(readonly result: PhasedResult) {
    super('aborted by hand');
  }
}
