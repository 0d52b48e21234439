/** A deployment record as the suite reads it back: its payload, its latest status, and who vouches for it. */
import type { ReleasePayload } from './payload.js';

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  created_at: string;
  payload: ReleasePayload;
  /** Latest status (newest first in GitHub's list). */
  state: DeploymentState | 'none';
  description: string;
  /** Whether any status of this deployment was `success`. */
  everSucceeded: boolean;
}

/** Traces a record to the run that wrote it (provenance.ts): why it cannot be trusted, or undefined. */
export interface RecordVerifier {
  problem(record: {
    id: number;
    sha: string;
    created_at: string;
    payload: ReleasePayload;
  }): Promise<string | undefined>;
  /** When the run that wrote a record started (its twins can only be made after), epoch ms. */
  runStart?(runId: string): Promise<number | undefined>;
  /** Why a status cannot be traced to a run of the suite that was running when it was written (its log_url), or undefined. */
  statusProblem?(status: { created_at: string; log_url: string }): Promise<string | undefined>;
}

/** A deployment status as read back: who wrote it is told by its log_url (the writing run), checked on demand. */
export interface RecordStatus {
  state: DeploymentState;
  description: string;
  created_at: string;
  log_url: string;
}
