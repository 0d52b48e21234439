/**
 * The environment chain's promotion rules, enforced before a release enters an environment:
 * it must be live in the previous one (its record there trusted and `success`, not rolled back
 * or superseded since: live is exactly that), with the same artifact digest, for at least the
 * soak time. A refusal names the rule and the record; nothing is written before it passes.
 */
import { ActionError, formatDuration } from '@rollgate/kit';
import type { ArtifactRef, DeploymentRecord, ReleaseRecords } from '@rollgate/github';

/** A promotion that breaks a rule of the chain: its message says which, and which record. */
export class PromotionRefused extends ActionError {}

export interface Admission {
  /** The previous environment's live record of the release. */
  record: DeploymentRecord;
  /** The artifact that record deployed (this environment gets the same one). */
  artifact: ArtifactRef;
  /** When the release became live there (its first trusted success status), epoch ms. */
  liveSince: number;
  /** The line the log and the summary say. */
  line: string;
}

export interface AdmitOptions {
  /** The previous environment's trusted records. */
  from: ReleaseRecords;
  /** The version to promote, or undefined for "what is live there". */
  version?: string;
  /** The digest this run was given (artifact-digest), when it was: it must be the one recorded there. */
  digest?: string;
  soakMs: number;
  now: () => number;
}

/** A span a reader takes in at once: 1h 5m, 12m 34s, 40s. */
function span(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h ? `${h}h ${m}m` : m ? `${m}m ${sec}s` : `${sec}s`;
}

/** When the record first became live: its oldest success status a trusted run wrote. */
async function liveSince(from: ReleaseRecords, record: DeploymentRecord): Promise<number | undefined> {
  const statuses = await from.statuses(record.id, 100);
  const successes = statuses.filter((s) => s.state === 'success').reverse();
  for (const s of successes) if (!(await from.statusProblem(s))) return Date.parse(s.created_at);
  return undefined;
}

export async function admit(options: AdmitOptions): Promise<Admission> {
  const { from, version } = options;
  const env = from.environment;
  const state = await from.state();
  const live = state.live;
  const what = version ?? 'a release';
  if (!live)
    throw new PromotionRefused(
      `Promotion refused (rule: live in ${env} first): no trusted record in ${env} is live, so ${what} cannot be promoted from it.`,
    );
  const v = live.payload.version;
  if (version !== undefined && v !== version) {
    const mine = state.records.find((r) => r.payload.version === version);
    const back = live.payload.rollback_of;
    const why =
      back?.version === version
        ? `it was rolled back there: deployment ${live.id} put ${v} back in place of deployment ${back.deployment_id}`
        : mine
          ? `its newest record there (deployment ${mine.id}) is ${mine.state}, and ${v} is live (deployment ${live.id})`
          : `${v} is live there (deployment ${live.id}); ${version} is not (never released there, or replaced since)`;
    throw new PromotionRefused(
      `Promotion refused (rule: live in ${env} first): ${version} is not live in ${env}: ${why}.`,
    );
  }
  const artifact = live.payload.artifact;
  if (!artifact?.digest)
    throw new PromotionRefused(
      `Promotion refused (rule: same artifact): deployment ${live.id} of ${v} in ${env} records no artifact digest, so the artifact it runs cannot be named.`,
    );
  if (options.digest && options.digest !== artifact.digest)
    throw new PromotionRefused(
      `Promotion refused (rule: same artifact): ${v} in ${env} (deployment ${live.id}) runs ${artifact.digest}, not ${options.digest}.`,
    );
  const since = await liveSince(from, live);
  if (since === undefined || !Number.isFinite(since))
    throw new PromotionRefused(
      `Promotion refused (rule: soak): deployment ${live.id} of ${v} in ${env} has no trusted success status to time its soak from.`,
    );
  const soaked = options.now() - since;
  if (soaked < options.soakMs)
    throw new PromotionRefused(
      `Promotion refused (rule: soak ${formatDuration(options.soakMs)}): ${v} has been live in ${env} for ${span(Math.max(0, soaked))} (deployment ${live.id}, since ${new Date(since).toISOString()}); it may be promoted from ${new Date(since + options.soakMs).toISOString()}.`,
    );
  return {
    record: live,
    artifact,
    liveSince: since,
    line: `${v} is live in ${env} (deployment ${live.id}) since ${new Date(since).toISOString()}, ${span(soaked)} ≥ soak ${formatDuration(options.soakMs)}, artifact ${artifact.digest}.`,
  };
}
