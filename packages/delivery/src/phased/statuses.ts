/**
 * The statuses of a phased release that change what a run does (an abort by hand taking a moving
 * release over, a pause at the gate), counted only when a trusted run of the suite wrote them:
 * a status's log_url names the run that wrote it, traced like a record's writer (provenance).
 * Anyone with deployments: write can post `aborting after batch …` or `paused after batch 0/3`;
 * such a status is named in a warning and otherwise ignored.
 */
import type { Logger } from '@rollgate/kit';
import type { RecordStatus, ReleaseRecords } from '@rollgate/github';
import { readBatch } from '../records/status-codec.js';

const warned = new Set<string>();

/** Whether a status was written by a trusted run of the suite (this run's own count); an untrusted one is warned of once. */
export async function trusted(records: ReleaseRecords, id: number, s: RecordStatus, logger: Logger): Promise<boolean> {
  const why = await records.statusProblem(s);
  if (!why) return true;
  const key = `${id}/${s.created_at}/${s.description}`;
  if (!warned.has(key)) {
    warned.add(key);
    logger.warning(
      `A status of deployment ${id} ("${s.state}: ${s.description.slice(0, 80)}") was not written by a trusted run of the suite and is ignored: ${why}.`,
    );
  }
  return false;
}

/** The newest trusted status of deployment `id` that settles or aborts it (a moving run stops on it), or undefined. */
export async function trustedAbort(
  records: ReleaseRecords,
  id: number,
  logger: Logger,
): Promise<RecordStatus | undefined> {
  for (const s of await records.statuses(id)) {
    if (records.ownStatus(s)) continue;
    const settles = s.state !== 'in_progress' && s.state !== 'queued' && s.state !== 'pending';
    if (!settles && !readBatch(s.description)?.aborting) continue;
    if (await trusted(records, id, s, logger)) return s;
  }
  return undefined;
}

/** The newest status of deployment `id` a trusted run wrote (the gate reads where the release stands from it), or undefined. */
export async function latestTrusted(
  records: ReleaseRecords,
  id: number,
  logger: Logger,
): Promise<RecordStatus | undefined> {
  for (const s of await records.statuses(id)) if (await trusted(records, id, s, logger)) return s;
  return undefined;
}
