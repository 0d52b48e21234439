/** Artifacts on disk, shared by the artifact service (runner side) and the REST emulator (API side). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StoredArtifact {
  id: number;
  name: string;
  /** Numeric workflow run id (GITHUB_RUN_ID) the artifact belongs to. */
  runId: number;
  runBackendId: string;
  jobBackendId: string;
  size: number;
  /** `sha256:<hex>` as FinalizeArtifact reported it. */
  digest: string | null;
  file: string;
  mimeType: string;
  createdAt: string;
  expiresAt: string;
  finalized: boolean;
}

export class ArtifactStore {
  readonly dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
  readonly artifacts: StoredArtifact[] = [];
  private id = 5000;

  nextId(): number {
    return ++this.id;
  }

  /** Backend ids for a run, as the runtime token carries them. */
  static backendIds(runId: number): { run: string; job: string } {
    const hex = runId.toString(16).padStart(12, '0');
    return { run: `00000000-0000-4000-8000-${hex}`, job: `11111111-1111-4111-8111-${hex}` };
  }

  static runIdOf(runBackendId: string): number {
    return Number.parseInt(runBackendId.split('-').at(-1) ?? '0', 16);
  }

  forRun(runId: number): StoredArtifact[] {
    return this.artifacts.filter((a) => a.runId === runId && a.finalized);
  }
}
