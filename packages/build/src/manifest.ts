/** build-manifest.json: what was built, from what, where, and the digest of every file. */
import type { ArchivedFile } from './archive.js';

export interface BuildManifest {
  schema: 'rollgate/build-manifest@1';
  /** Unique id of this build: artifact name, commit and run attempt. */
  build_id: string;
  artifact: { name: string; archive: string; digest: string; size: number };
  version: string;
  repository: string;
  commit: string;
  ref: string;
  run: { id: string; attempt: string; number: string; workflow: string };
  built_at: string;
  command: string[];
  tools: Record<string, string>;
  files: { path: string; size: number; sha256: string }[];
}

export function buildId(name: string, commit: string, runId: string, attempt: string): string {
  return `${name}@${commit.slice(0, 12)}+run.${runId}.${attempt}`;
}

export function makeManifest(
  input: Omit<BuildManifest, 'schema' | 'build_id' | 'files'> & { files: ArchivedFile[] },
): BuildManifest {
  return {
    schema: 'rollgate/build-manifest@1',
    build_id: buildId(input.artifact.name, input.commit, input.run.id, input.run.attempt),
    ...input,
    files: input.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
  };
}

/** Checks a manifest read back from disk or a release asset: the shape rollback relies on. */
export function parseManifest(text: string, source: string): BuildManifest {
  let m: Partial<BuildManifest>;
  try {
    m = JSON.parse(text) as Partial<BuildManifest>;
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (
    m.schema !== 'rollgate/build-manifest@1' ||
    !m.artifact?.digest ||
    !m.artifact.archive ||
    !Array.isArray(m.files)
  ) {
    throw new Error(`${source} is not a rollgate build manifest`);
  }
  return m as BuildManifest;
}
