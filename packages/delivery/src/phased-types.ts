/** The phased release's configuration, ports, in-flight state and result: the types its modules share (no cycles). */
import type { LoggedReading, Verdict } from '@rollgate/analysis';
import type { ArtifactRef, PhasedPause, ReleasePayload, ReleaseRecords } from '@rollgate/github';
import type { Fleet } from '@rollgate/traffic';
import type { Target } from './phased-plan.js';
import type { JudgeConfig } from './step-analysis.js';

/** A release a target can be given: its version and the artifact it is built from. */
export interface Release {
  version: string;
  artifact?: ArtifactRef;
}

/** Puts a release on one target (the user's deploy command, given the verified artifact). */
export interface Deployer {
  deploy(target: Target, release: Release): Promise<void>;
}

/** run: a new release from the first batch; continue or abort: the one paused at its gate (promote.yml). */
export type PhasedMode = 'run' | 'continue' | 'abort';

export interface PhasedConfig extends JudgeConfig {
  ref: string;
  mode?: PhasedMode;
  /** The plan (mode run; continue and abort read the plan recorded when the release started). */
  batches?: Target[][];
  /** How long each batch is judged before the next (mode run). */
  intervalMs?: number;
  /** Where the release stops for a person (mode run; default auto: never). */
  pause?: PhasedPause;
  failureLimit: number;
  inconclusiveLimit: number;
  alpha?: number;
  /** A URL template (`{address}` is the target's ip:port) that must answer 2xx; else a TCP connection. */
  healthUrl?: string;
  /** How long a deployed target has to answer (default 60 s). */
  healthTimeoutMs?: number;
  /** Whether a target answers (default: healthUrl, else a TCP connection): undefined, or why not. */
  probe?: (target: Target, healthUrl: string | undefined) => Promise<string | undefined>;
  /** The new release's artifact (recorded, and what the deployer fetches). */
  artifact?: ArtifactRef;
  fleet: Fleet;
  deployer: Deployer;
  records: ReleaseRecords;
  payload: Omit<ReleasePayload, 'version'>;
  waitTimeoutMs?: number;
  run?: { id: string; attempt: number };
  logUrl?: string;
  /** Called before each change with what would need undoing, and with undefined once settled. */
  inflight: (state: PhasedInflight | undefined) => void;
}

/** What the post step needs to undo a phased release left mid-way. */
export interface PhasedInflight {
  deploymentId: number;
  version: string;
  previous?: Release;
  /** Targets that may run the new version (or be half-deployed). */
  changed: Target[];
  /** Targets out of the load balancer now. */
  drained: Target[];
  batch: { index: number; count: number };
}

export interface BatchRecord {
  index: number;
  targets: string[];
  outcome: 'released' | 'failed';
  reason?: string;
}

export interface PhasedResult {
  outcome: 'released' | 'rolled-back' | 'paused' | 'aborted';
  deploymentId: number;
  /** The batches as planned (recorded when the release started). */
  plan: Target[][];
  /** The targets on the new version when this run ended. */
  onNew: string[];
  previous?: string;
  batches: BatchRecord[];
  verdict?: Verdict;
  /** Every reading the judge took, by batch (the summary's charts). */
  readings: LoggedReading[];
  startedAt: number;
  endedAt: number;
}
