/**
 * Years of an environment's history in a moment: each entry is a pipeline (or rollback) run
 * registered with the emulator, the record it writes through the suite's own writer
 * (ReleaseRecords.create, index included, after reading the state as a run does) and the
 * statuses its outcome leaves, an hour apart on the emulator's clock. The records-at-scale
 * tests and `npm run bench:records` read such histories back through the real reader.
 */
import {
  ReleaseRecords,
  createGitHub,
  type ArtifactRef,
  type DeploymentState,
  type ReleasePayload,
} from '@rollgate/github';
import { silentLogger } from '@rollgate/kit';
import type { GitHubEmulator } from './emulator.js';

export interface HistoryEntry {
  kind: 'canary' | 'phased' | 'rollback';
  version: string;
  /** live: promoted (the live one before it retired); failed: judged bad; aborted: by hand; error: its run broke; open: still running. */
  outcome: 'live' | 'failed' | 'aborted' | 'error' | 'open';
  sha: string;
  artifact?: ArtifactRef;
  tag?: string;
  address?: string;
}

export interface SeededHistory {
  /** Deployment ids, in the order of the entries. */
  ids: number[];
  /** The record live at the end. */
  live?: number;
  /** The run id of each entry. */
  runs: number[];
}

const HOUR = 3_600_000;

export async function seedHistory(
  emulator: GitHubEmulator,
  environment: string,
  entries: HistoryEntry[],
  clock: { advance(ms: number): void },
  options: { firstRun?: number } = {},
): Promise<SeededHistory> {
  const gh = createGitHub({
    token: 'seed-token',
    baseUrl: emulator.url,
    fetch: emulator.fetch,
    retries: 0,
    paceWrites: false,
    logger: silentLogger,
  });
  const writer = new ReleaseRecords(gh, { owner: emulator.owner, repo: emulator.repo }, environment);
  const out: SeededHistory = { ids: [], runs: [] };
  let runId = options.firstRun ?? 900_000;
  for (const e of entries) {
    clock.advance(HOUR);
    runId += 1;
    const rollback = e.kind === 'rollback';
    emulator.startRun({
      id: runId,
      head_sha: e.sha,
      ...(rollback ? { event: 'workflow_dispatch', path: '.github/workflows/rollback.yml' } : {}),
    });
    clock.advance(60_000);
    const state = await writer.state();
    const payload: ReleasePayload = {
      version: e.version,
      kind: e.kind,
      commit: e.sha,
      run: { id: String(runId), attempt: 1 },
      ...(e.tag ? { tag: e.tag } : {}),
      ...(e.artifact ? { artifact: e.artifact } : {}),
      ...(e.address ? { address: e.address } : {}),
      ...(state.live && !rollback ? { stable: state.live.payload.version } : {}),
      ...(rollback && state.live
        ? { rollback_of: { version: state.live.payload.version, deployment_id: state.live.id } }
        : {}),
    };
    const id = await writer.create(e.sha, payload, `${e.kind} of ${e.version}`, state);
    out.ids.push(id);
    out.runs.push(runId);
    // Each status names its run, as a run's writer does (log_url): readers trace statuses to runs.
    const logUrl = `https://github.test/${emulator.owner}/${emulator.repo}/actions/runs/${runId}/attempts/1`;
    await settle((state, text, of = id) => writer.status(of, state, text, { logUrl }), e, state.live?.id, id);
    if (e.outcome === 'live') out.live = id;
    clock.advance(4 * 60_000);
    if (e.outcome !== 'open') emulator.finishRun(runId, e.outcome === 'live' ? 'success' : 'failure');
  }
  return out;
}

type Post = (state: DeploymentState, text: string, of?: number) => Promise<void>;

async function settle(post: Post, e: HistoryEntry, live: number | undefined, id: number): Promise<void> {
  await post('in_progress', `${e.kind} of ${e.version} starting`);
  switch (e.outcome) {
    case 'live':
      await post('success', `${e.kind} of ${e.version}: live`);
      if (live) await post('inactive', `replaced by deployment ${id}`, live);
      return;
    case 'failed':
      return post('failure', `${e.kind} of ${e.version}: judged bad`);
    case 'aborted':
      return post('failure', `${e.kind} of ${e.version}: aborted by hand`);
    case 'error':
      return post('error', `${e.kind} of ${e.version}: its run broke`);
    case 'open':
      return;
  }
}
