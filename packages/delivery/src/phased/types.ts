/** The phased release's configuration, ports, in-flight state and result: the types its modules share (no cycles). */
import type { LoggedReading, Verdict } from '@rollgate/analysis';
import type { ArtifactRef, PhasedPause, ReleasePayload, ReleaseRecords } from '@rollgate/github';
import type { Target } from '../fleet/plan.js';
import type { Deployer, FleetInflight, Release, RestorePorts } from '../fleet/types.js';
import type { FleetTruth } from '../fleet/facts.js';

export type { Deployer, Release };
import type { JudgeConfig } from '../judging/step.js';

/**
 * run: a new release from the first batch; continue or abort: the one paused at its gate
 * (promote.yml); reconcile: the fleet back to the live release from any state.
 */
export type PhasedMode = 'run' | 'continue' | 'abort' | 'reconcile';

export interface PhasedConfig extends JudgeConfig, RestorePorts {
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
  /** The new release's artifact (recorded, and what the deployer fetches). */
  artifact?: ArtifactRef;
  records: ReleaseRecords;
  payload: Omit<ReleasePayload, 'version'>;
  waitTimeoutMs?: number;
  run?: { id: string; attempt: number };
  logUrl?: string;
  /** Called before each change with what would need undoing, and with undefined once settled. */
  inflight: (state: PhasedInflight | undefined) => void;
}

/** What the post step needs to undo a phased release left mid-way. */
export type PhasedInflight = FleetInflight;

export interface BatchRecord {
  index: number;
  targets: string[];
  outcome: 'released' | 'failed';
  reason?: string;
}

export interface PhasedResult {
  outcome: 'released' | 'rolled-back' | 'paused' | 'aborted' | 'reconciled';
  deploymentId: number;
  /** The batches as planned (recorded when the release started). */
  plan: Target[][];
  /** The targets on the new version when this run ended. */
  onNew: string[];
  previous?: string;
  batches: BatchRecord[];
  verdict?: Verdict;
  /** The fleet as read back at the end (what each target runs, whether it serves). */
  fleet?: FleetTruth;
  /** Every reading the judge took, by batch (the summary's charts). */
  readings: LoggedReading[];
  startedAt: number;
  endedAt: number;
}
