/**
 * The judge of a rollout. Every canary reading of a threshold check is a measurement: pass,
 * fail, or inconclusive (no data, source unreachable). The rollout stops as soon as failures
 * exceed `failureLimit` or inconclusive measurements exceed `inconclusiveLimit` — no data is
 * never a pass. At the end of a step, baseline checks compare the canary's samples with
 * stable's (Mann-Whitney U, one-sided), and a check with no passing measurement fails.
 */
import type { Check } from './checks.js';
import { mannWhitneyGreater, median, smallestP } from './mann-whitney.js';

export type Reading =
  { kind: 'value'; value: number } | { kind: 'no-data'; detail: string } | { kind: 'unreachable'; detail: string };

export interface Verdict {
  check: string;
  /** One line: which metric, observed value, threshold. */
  reason: string;
  observed?: number;
}

export interface Limits {
  failureLimit: number;
  inconclusiveLimit: number;
  /** Significance of the baseline comparison (default 0.05). */
  alpha?: number;
  /**
   * Low traffic (min-requests): a step waits for requests, so "no data" mid-step is not held
   * against the canary; the reading that gates the move must still be a number.
   */
  waitForData?: boolean;
  /** What the two roles are called in verdicts (default `canary` and `stable`; a phased release: the new and the old version). */
  roles?: { canary: string; stable: string };
}

interface StepData {
  canary: number[];
  stable: number[];
  /** The latest reading of each role in this step: the one that gates the next move. */
  last: { canary?: Reading; stable?: Reading };
}

/** One reading as the judge took it, with the step it belongs to (for the summary's charts). */
export interface LoggedReading {
  /** The step's label (`25%`, `batch 2`), or its number when it has none. */
  step: string;
  check: string;
  role: 'canary' | 'stable';
  reading: Reading;
}

const fmt = (n: number) => (Math.abs(n) >= 100 ? String(Math.round(n * 100) / 100) : String(Number(n.toPrecision(3))));

/** How a value breaks a check's max or min (`0.2 > max 0.05`), or undefined when it keeps them. */
export function thresholdBreach(check: Pick<Check, 'max' | 'min'>, v: number): string | undefined {
  if (check.max !== undefined && v > check.max) return `${fmt(v)} > max ${fmt(check.max)}`;
  if (check.min !== undefined && v < check.min) return `${fmt(v)} < min ${fmt(check.min)}`;
  return undefined;
}

export class Judge {
  failures = 0;
  inconclusive = 0;
  private step = new Map<string, StepData>();
  private steps = 0;
  private label = '';
  readonly log: LoggedReading[] = [];

  constructor(
    readonly checks: Check[],
    private readonly limits: Limits,
  ) {}

  /** A role as verdicts name it: `canary`, or `the new version`. */
  private named(role: 'canary' | 'stable'): string {
    return this.limits.roles?.[role] ?? role;
  }

  /** A role after "the": `the canary`, `the new version`. */
  private the(role: 'canary' | 'stable'): string {
    return this.limits.roles ? this.named(role) : `the ${role}`;
  }

  startStep(label?: string): void {
    this.steps++;
    this.label = label ?? String(this.steps);
    this.step = new Map(this.checks.map((c) => [c.name, { canary: [], stable: [], last: {} }]));
  }

  /** Records one reading; returns a verdict when the rollout must stop now. */
  measure(check: Check, role: 'canary' | 'stable', reading: Reading): Verdict | undefined {
    this.log.push({ step: this.label, check: check.name, role, reading });
    const data = this.step.get(check.name) as StepData;
    data.last[role] = reading;
    if (reading.kind !== 'value') {
      if (reading.kind === 'no-data' && this.limits.waitForData) return undefined;
      this.inconclusive++;
      if (this.inconclusive > this.limits.inconclusiveLimit) {
        const what = reading.kind === 'unreachable' ? 'metrics source unreachable' : 'no data';
        return {
          check: check.name,
          reason: `${check.name}: ${what} for ${this.named(role)} (${reading.detail}); failing closed`,
        };
      }
      return undefined;
    }
    const v = reading.value;
    data[role].push(v);
    if (role === 'stable') return undefined;
    const breach = thresholdBreach(check, v);
    if (breach) {
      this.failures++;
      if (this.failures > this.limits.failureLimit)
        return { check: check.name, reason: `${check.name} ${breach}`, observed: v };
      return undefined;
    }
    return undefined;
  }

  /**
   * Judges what needs the whole step: a fresh reading of every check gates the next move (the
   * latest reading of each role must be a number: a canary that died, or a source that went
   * away, late in the step is never promoted on the readings taken before), then baseline
   * comparisons and checks that never had data.
   */
  endStep(): Verdict | undefined {
    for (const check of this.checks) {
      const data = this.step.get(check.name) as StepData;
      for (const role of check.compare === 'baseline' ? (['canary', 'stable'] as const) : (['canary'] as const)) {
        const last = data.last[role];
        if (!last)
          return {
            check: check.name,
            reason: `${check.name}: no reading of ${this.the(role)} during the step; failing closed`,
          };
        if (last.kind !== 'value') {
          const what = last.kind === 'unreachable' ? 'metrics source unreachable' : 'no data';
          return {
            check: check.name,
            reason: `${check.name}: the last reading of ${this.the(role)} before the next move was ${what} (${last.detail}); failing closed`,
          };
        }
      }
    }
    for (const check of this.checks) {
      const data = this.step.get(check.name) as StepData;
      if (check.compare === 'baseline') {
        const alpha = this.limits.alpha ?? 0.05;
        // Fewer readings than the test needs to reject (a slow source, missed readings) is no
        // comparison at all: it fails closed instead of passing a regression it cannot see.
        if (
          data.canary.length < 1 ||
          data.stable.length < 1 ||
          smallestP(data.canary.length, data.stable.length) >= alpha
        ) {
          return {
            check: check.name,
            reason: `${check.name}: too few readings to compare with ${this.named('stable')} at significance ${alpha} (${data.canary.length} ${this.named('canary')}, ${data.stable.length} ${this.named('stable')}); failing closed`,
          };
        }
        const c = median(data.canary);
        const s = median(data.stable);
        const inc = check.maxIncrease ?? { relative: true, amount: 0 };
        const byIncrease = inc.relative ? s * (1 + inc.amount) : s + inc.amount;
        const floor = s + (check.tolerance ?? 0);
        const allowed = Math.max(byIncrease, floor);
        const test = mannWhitneyGreater(data.canary, data.stable);
        if (c > allowed && test.pGreater < alpha) {
          const limit =
            floor > byIncrease
              ? `+${fmt(check.tolerance ?? 0)} tolerance`
              : inc.relative
                ? `+${Math.round(inc.amount * 100)}%`
                : `+${fmt(inc.amount)}`;
          return {
            check: check.name,
            reason: `${check.name} ${fmt(c)} vs ${this.named('stable')} ${fmt(s)} (> ${limit}, p=${test.pGreater.toPrecision(2)})`,
            observed: c,
          };
        }
      }
    }
    return undefined;
  }
}
