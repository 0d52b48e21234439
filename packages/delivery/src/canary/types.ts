/** The canary's configuration, result and in-flight state: the types its modules share (no cycles). */
import type { Slot } from '../slots/place.js';
import type { Check, LoggedReading, Verdict } from '@rollgate/analysis';
import type { MetricsSource } from '@rollgate/metrics';
import type { Backend, TrafficProvider } from '@rollgate/traffic';
import type { ArtifactRef, GitHub, ReleasePayload, ReleaseRecords, Repo } from '@rollgate/github';
import type { Clock, Logger } from '@rollgate/kit';

export type Mode = 'run' | 'start' | 'promote' | 'abort';

export interface CanaryConfig {
  version: string;
  /** How long a new canary waits for a running rollback to finish (0: fail at once). */
  waitTimeoutMs?: number;
  ref: string;
  mode: Mode;
  /** Traffic steps and time per step; when not given: those recorded when the canary started (promote), else the defaults. */
  steps?: number[];
  intervalMs?: number;
  samplesPerStep: number;
  /** Timeout of one metrics query; the last read of a step may end this long after the step. */
  metricsTimeoutMs?: number;
  /** A URL that must answer 2xx before every move; without it, a TCP connection to the canary's address. */
  healthUrl?: string;
  /**
   * Low traffic: a step lasts until the canary served `min` requests (read from `query`, a
   * counter of the canary's requests, on `source`), at most `maxWaitMs`; then it is judged.
   */
  minRequests?: { min: number; query: string; source: MetricsSource; maxWaitMs: number };
  /** How often Prometheus scrapes the services: query windows span at least four scrapes. */
  scrapeIntervalMs?: number;
  failureLimit: number;
  /** Significance level of baseline comparisons. */
  alpha?: number;
  inconclusiveLimit: number;
  checks: Check[];
  sources: Partial<Record<Check['provider'], MetricsSource>>;
  traffic: TrafficProvider;
  canary: Backend;
  /** Addresses a new canary may go into (blue/green): the first that serves nothing is chosen (slots/place.ts). */
  slots?: Slot[];
  /** Stable version and address; the version defaults to the last promoted release in the environment. */
  stable: Partial<Backend>;
  records: ReleaseRecords;
  payload: Omit<ReleasePayload, 'version'>;
  logUrl?: string;
  /** Where the rollout says what it does (the runner's log in an action: kit's actionsLogger). */
  logger: Logger;
  /** Called with the split whenever traffic is about to leave stable, and with undefined once it is settled. */
  inflight: (state: InflightState | undefined) => void;
  signal?: AbortSignal;
  /** The workflow run and attempt of this job: a re-run (a later attempt) may close its own earlier record. */
  run?: { id: string; attempt: number };
  /** Where the release is fetched and unpacked (the runner's RUNNER_TEMP; default the system's). */
  tempDir?: string;
  /** The time and the waits (default: the system's; tests pass a virtual clock). */
  clock?: Clock;
  /** Only say what would happen (see canary-dry-run.ts). */
  dryRun?: boolean;
  /** Deploys the canary from its verified build artifact before any traffic moves. */
  deploy?: { command: string[]; artifact: ArtifactRef; gh: GitHub; token: string; repo: Repo };
}

export interface InflightState {
  deploymentId: number;
  canary: Backend;
  stable: Backend;
  weight: number;
}

export interface StepRecord {
  weight: number;
  at: string;
  outcome: 'passed' | 'failed' | 'promoted' | 'paused';
  reason?: string;
}

export interface CanaryResult {
  outcome: 'promoted' | 'aborted' | 'paused' | 'dry-run';
  deploymentId: number;
  weight: number;
  stable: Backend;
  verdict?: Verdict;
  steps: StepRecord[];
  /** Every reading the judge took, by step (the summary's charts). */
  readings?: LoggedReading[];
  startedAt: number;
  endedAt: number;
}
