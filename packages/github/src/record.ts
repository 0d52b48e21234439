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
}
