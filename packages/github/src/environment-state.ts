/**
 * What an environment's records say now, read exactly at any depth and in a bounded number of
 * requests. GitHub lists an environment's deployments newest first, 100 a page; each record's
 * latest status is one more request. Reading "the last 30" fails open (a live release behind 30
 * failed canaries is not seen, and a canary becomes a "first release"); reading everything costs
 * a request per record. So every record the suite writes carries an index (payload.ts,
 * RecordIndex): the newest deployment its writer had read, the live release and the open records
 * then. A reader walks from the newest record down to the newest trusted index and no further,
 * then checks each record an index names (its provenance and its status now):
 *
 * - records newer than an index's head were not known to its writer: all of them are walked;
 * - a record is trusted only if no other record claims its run attempt (twins: a copy made while
 *   the run was going). Twins are made while the run runs, so the walk goes down past the start
 *   of the run of every trusted record it uses, and a named record deeper down is checked against
 *   the records of its commit (one request);
 * - nothing live by the indexes is never a first release on their word: the reader then reads the
 *   whole history, and a record an index named live that is no longer live and trusted is said.
 *   A history that cannot be read completely is an error, never "nothing was released".
 * Records written before indexes existed are read as before, down to the newest trusted success.
 */
import { ActionError, type Logger } from '@rollgate/kit';
import type { GitHub } from './client.js';
import type { Repo } from './releases.js';
import { payloadProblem, type ReleasePayload } from './payload.js';
import type { DeploymentRecord, DeploymentState, RecordVerifier } from './record.js';

export interface EnvironmentState {
  environment: string;
  /** The trusted records that matter now, newest first, each with its status now: every one walked, and those the indexes name. */
  records: DeploymentRecord[];
  /** The newest trusted record whose status is success. */
  live?: DeploymentRecord;
  /** Trusted records not settled (rollouts and rollbacks running, paused or left by a lost runner). */
  open: DeploymentRecord[];
  /** The newest deployment of the environment (the next record's index.head). */
  head: number;
  /** Records that claim to be the suite's but cannot be trusted: id and why. */
  refused: { id: number; why: string }[];
  /** Why the records cannot say what is live although a release was recorded live (never a first release). */
  lost?: string;
  /** Whether every record of the environment was read. */
  whole: boolean;
}

/** Raw deployment as listed. */
interface Listed {
  id: number;
  sha: string;
  ref: string;
  created_at: string;
  payload: unknown;
}

/** A record of the environment: its payload checked (or why not), and, if trusted, its statuses. */
interface Seen {
  listed: Listed;
  payload?: ReleasePayload;
  /** Why it is not trusted (payload, provenance or a twin). */
  why?: string;
  /** A deployment that is not a rollgate record at all (another tool's, or GitHub's own for a job's environment). */
  foreign?: boolean;
  record?: DeploymentRecord;
}

const PAGE = 100;
/** Most requests one reading of the state may make before it stops with one line (a flood of untrusted records). */
export const STATE_REQUEST_LIMIT = 400;
/** How long before a run's creation a record of it may be stamped (clocks, as provenance allows). */
const SLACK_MS = 2 * 60_000;

export const isOpenState = (state: string) =>
  state === 'in_progress' || state === 'queued' || state === 'pending' || state === 'none';

export class EnvironmentReader {
  private readonly listed = new Map<number, Listed>();
  private readonly verdicts = new Map<number, Promise<string | undefined>>();
  private readonly shaClaims = new Map<string, Promise<Listed[]>>();

  constructor(
    private readonly gh: GitHub,
    private readonly repo: Repo,
    readonly environment: string,
    private readonly verifier?: RecordVerifier,
    private readonly logger?: Logger,
    /** Counts the requests one reading makes (the client's counter). */
    private readonly requests: () => number = () => 0,
  ) {}

  /** The state now: walks the newest records down to the newest trusted index, then the records the indexes name. */
  async read(): Promise<EnvironmentState> {
    const walk = new Walk(this, this.requests());
    await walk.run(false);
    let state = await walk.finish();
    if (!state.live && !state.whole) {
      // Nothing live by the indexes: confirmed only by the whole history.
      const whole = new Walk(this, this.requests());
      await whole.run(true);
      const full = await whole.finish();
      state = { ...full, ...(state.lost && !full.live ? { lost: state.lost } : {}) };
    }
    return state;
  }

  /** Every record of the environment, read to the end (records written before indexes, a rollback's last resort). */
  async whole(): Promise<EnvironmentState> {
    const walk = new Walk(this, this.requests());
    await walk.run(true);
    return walk.finish();
  }

  /** One page of the environment's deployments, newest first (a conditional request: 304 when unchanged). */
  async page(n: number): Promise<Listed[]> {
    const { data } = await this.gh.rest.repos.listDeployments({
      ...this.repo,
      environment: this.environment,
      per_page: PAGE,
      page: n,
    });
    const out = data.map((d) => ({ id: d.id, sha: d.sha, ref: d.ref, created_at: d.created_at, payload: d.payload }));
    for (const d of out) this.listed.set(d.id, d);
    return out;
  }

  /** One deployment by id (a record an index names), or undefined when GitHub has none. */
  async get(id: number): Promise<Listed | undefined> {
    const known = this.listed.get(id);
    if (known) return known;
    try {
      const { data } = await this.gh.rest.repos.getDeployment({ ...this.repo, deployment_id: id });
      if (data.environment !== this.environment && data.original_environment !== this.environment) return undefined;
      const d = { id: data.id, sha: data.sha, ref: data.ref, created_at: data.created_at, payload: data.payload };
      this.listed.set(id, d);
      return d;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  }

  /** The records of one commit in this environment: where a twin of a record deep in the history would be. */
  commitRecords(sha: string): Promise<Listed[]> {
    let found = this.shaClaims.get(sha);
    if (!found) {
      found = this.gh.rest.repos
        .listDeployments({ ...this.repo, environment: this.environment, sha, per_page: PAGE })
        .then(({ data }) =>
          data.map((d) => ({ id: d.id, sha: d.sha, ref: d.ref, created_at: d.created_at, payload: d.payload })),
        );
      this.shaClaims.set(sha, found);
    }
    return found;
  }

  /** Provenance of a record (kept: a deployment's payload, commit and time never change). */
  provenance(d: Listed, payload: ReleasePayload): Promise<string | undefined> {
    let verdict = this.verdicts.get(d.id);
    if (!verdict) {
      verdict =
        this.verifier?.problem({ id: d.id, sha: d.sha, created_at: d.created_at, payload }) ??
        Promise.resolve(undefined);
      this.verdicts.set(d.id, verdict);
    }
    return verdict;
  }

  /** When the run that wrote a trusted record started (its twins are made after). */
  async runStart(payload: ReleasePayload): Promise<number | undefined> {
    if (!payload.run || !this.verifier?.runStart) return undefined;
    return this.verifier.runStart(payload.run.id);
  }

  /** The status of a trusted record now: the latest, and whether any was success. */
  async withStatus(d: Listed, payload: ReleasePayload): Promise<DeploymentRecord> {
    const { data } = await this.gh.rest.repos.listDeploymentStatuses({
      ...this.repo,
      deployment_id: d.id,
      per_page: 100,
    });
    const latest = data[0];
    return {
      id: d.id,
      sha: d.sha,
      ref: d.ref,
      created_at: d.created_at,
      payload,
      state: (latest?.state as DeploymentState | undefined) ?? 'none',
      description: cleanDescription(latest?.description),
      everSucceeded: data.some((s) => s.state === 'success'),
    };
  }

  /** One record by id, trusted (payload, provenance, no twin among its commit's records) with its status; undefined when GitHub has none here. */
  async trusted(id: number): Promise<DeploymentRecord | undefined> {
    const d = await this.get(id);
    if (!d) return undefined;
    const [record] = await this.checked([d], await this.commitRecords(d.sha));
    return record;
  }

  /** The trusted records of one commit (a release, at any depth), newest first. */
  async ofCommit(sha: string): Promise<DeploymentRecord[]> {
    const list = await this.commitRecords(sha);
    return this.checked(list, list, true);
  }

  /** Records checked one by one against the records of their commit; `quiet` leaves out the untrusted, else the first refusal throws. */
  private async checked(list: Listed[], commit: Listed[], quiet = false): Promise<DeploymentRecord[]> {
    const out: DeploymentRecord[] = [];
    for (const d of list) {
      const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
      let why = payloadProblem(raw);
      const payload = raw as ReleasePayload;
      why ??= await this.provenance(d, payload);
      why ??= twinAmong(d, payload, commit);
      if (why) {
        this.warn(d.id, why);
        if (quiet) continue;
        throw new ActionError(`Deployment ${d.id} in ${this.environment} is not trusted: ${why}.`);
      }
      out.push(await this.withStatus(d, payload));
    }
    return out.sort((a, b) => b.id - a.id);
  }

  /** Says once per record that it is ignored. */
  private readonly warned = new Set<number>();
  warn(id: number, why: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.logger?.warning(`Deployment ${id} in ${this.environment} is not trusted and is ignored: ${why}.`);
  }

  spent(since: number): number {
    return this.requests() - since;
  }
}

/** The claim a record makes on a run attempt: one record per run attempt and environment. */
const claimOf = (p: ReleasePayload | undefined) => (p?.run ? `${Number(p.run.id)}/${p.run.attempt}` : undefined);

/** One reading: the walk down the list, then the records the indexes name. */
class Walk {
  private readonly seen = new Map<number, Seen>();
  private floor = Infinity;
  private head = 0;
  private windowStart = Infinity;
  private legacyLive = false;
  private whole = false;
  /** Records the indexes name: by whom, and as what (the live release then, or an open record). */
  private readonly named = new Map<number, { by: number; as: 'live' | 'open' }>();

  constructor(
    private readonly reader: EnvironmentReader,
    private readonly startedAt: number,
  ) {}

  /** Walks pages until the indexes and the run windows cover the rest (or, `all`, to the end). */
  async run(all: boolean): Promise<void> {
    for (let n = 1; ; n += 1) {
      const page = await this.reader.page(n);
      if (n === 1) this.head = page[0]?.id ?? 0;
      for (const d of page) {
        if (!all && this.covered(d)) return;
        if (!this.seen.has(d.id)) await this.visit(d);
        this.budget();
      }
      if (page.length < PAGE) {
        this.whole = true;
        return;
      }
    }
  }

  /** Whether the records from `d` down are summed up by a trusted index (or, before indexes, by the newest success). */
  private covered(d: Listed): boolean {
    const summed = this.floor === Infinity ? this.legacyLive : d.id <= this.floor;
    return summed && Date.parse(d.created_at) < this.windowStart - SLACK_MS;
  }

  private budget(): void {
    const spent = this.reader.spent(this.startedAt);
    if (spent <= STATE_REQUEST_LIMIT) return;
    const untrusted = [...this.seen.values()].filter((s) => s.why).length;
    throw new ActionError(
      `The records of ${this.reader.environment} could not be read within ${STATE_REQUEST_LIMIT} requests: ${this.seen.size} read, ${untrusted} of them not trusted (a flood of records this suite did not write?). Nothing was changed; remove the untrusted deployments (Settings → Environments, or the REST API) and run again.`,
    );
  }

  private async visit(d: Listed): Promise<void> {
    const s = await this.check(d);
    this.seen.set(d.id, s);
    if (!s.record) return;
    const p = s.record.payload;
    if (p.index) {
      this.floor = Math.min(this.floor, p.index.head);
      if (p.index.live && !this.named.has(p.index.live)) this.named.set(p.index.live, { by: d.id, as: 'live' });
      for (const id of p.index.open) this.named.set(id, { by: d.id, as: 'open' });
    } else if (s.record.state === 'success') this.legacyLive = true;
    const start = await this.reader.runStart(p);
    if (start !== undefined) this.windowStart = Math.min(this.windowStart, start);
  }

  /** A record checked: payload, provenance, then its status. */
  private async check(d: Listed): Promise<Seen> {
    const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
    if (!raw || typeof raw !== 'object' || !('version' in raw))
      return { listed: d, why: 'not a rollgate record', foreign: true };
    const problem = payloadProblem(raw);
    if (problem) return { listed: d, why: problem };
    const payload = raw as ReleasePayload;
    const why = await this.reader.provenance(d, payload);
    if (why) return { listed: d, payload, why };
    return { listed: d, payload, record: await this.reader.withStatus(d, payload) };
  }

  /** The records the indexes name below the walk, then twins, then what is live and open. */
  async finish(): Promise<EnvironmentState> {
    // A release named live by an index but older than a live release walked is replaced by it (the newest success is live).
    const liveWalked = Math.max(
      0,
      ...[...this.seen.values()].filter((x) => x.record?.state === 'success').map((x) => x.listed.id),
    );
    for (const [id, { by, as }] of this.named) {
      if (this.seen.has(id) || (as === 'live' && id < liveWalked)) continue;
      const d = await this.reader.get(id);
      if (!d) {
        this.seen.set(id, {
          listed: { id, sha: '', ref: '', created_at: '', payload: {} },
          why: `named by deployment ${by}, but GitHub has no such deployment in ${this.reader.environment}`,
        });
        continue;
      }
      const s = await this.check(d);
      if (s.record) s.why = await this.twinByCommit(d, s.payload as ReleasePayload);
      if (s.why) s.record = undefined;
      this.seen.set(id, s);
    }
    this.refuseTwins();
    const all = [...this.seen.values()].sort((a, b) => b.listed.id - a.listed.id);
    const records = all.flatMap((s) => (s.record ? [s.record] : []));
    const refused = all.filter((s) => s.why && !s.foreign).map((s) => ({ id: s.listed.id, why: s.why as string }));
    for (const r of refused) this.reader.warn(r.id, r.why);
    const live = records.find((r) => r.state === 'success');
    return {
      environment: this.reader.environment,
      records,
      ...(live ? { live } : {}),
      open: records.filter((r) => isOpenState(r.state)),
      head: this.head,
      refused,
      ...(live ? {} : this.lost(records)),
      whole: this.whole,
    };
  }

  /** Nothing live, though the newest index that named a live release did: what became of that release. */
  private lost(records: DeploymentRecord[]): { lost?: string } {
    const writer = [...this.seen.values()]
      .filter((s) => s.record?.payload.index?.live)
      .sort((a, b) => b.listed.id - a.listed.id)[0];
    const id = writer?.record?.payload.index?.live;
    if (!writer || !id) return {};
    const now = records.find((r) => r.id === id);
    const why = now ? `is ${now.state} now` : `is not trusted now (${this.seen.get(id)?.why ?? 'not read'})`;
    return { lost: `deployment ${id}, live when deployment ${writer.listed.id} was written, ${why}` };
  }

  /** Two records claiming one run attempt: the payload is anyone's to write, so neither is trusted. */
  private refuseTwins(): void {
    const claims = new Map<string, Seen[]>();
    for (const s of this.seen.values()) {
      const key = claimOf(s.payload);
      if (key && s.payload && !payloadProblem(s.payload)) claims.set(key, [...(claims.get(key) ?? []), s]);
    }
    for (const group of claims.values()) {
      if (group.length < 2) continue;
      for (const s of group) {
        const others = group.filter((o) => o !== s).map((o) => o.listed.id);
        s.why = `it claims run ${s.payload?.run?.id} attempt ${s.payload?.run?.attempt}, as deployment ${others.join(', ')} does`;
        s.record = undefined;
      }
    }
  }

  /** A twin of a record deep in the history: another record of its commit claiming its run attempt. */
  private async twinByCommit(d: Listed, payload: ReleasePayload): Promise<string | undefined> {
    return twinAmong(d, payload, await this.reader.commitRecords(d.sha));
  }
}

/** Another record among `others` claiming the run attempt `payload` claims: why `d` is not trusted, or undefined. */
function twinAmong(d: Listed, payload: ReleasePayload, others: Listed[]): string | undefined {
  const key = claimOf(payload);
  if (!key) return undefined;
  for (const other of others) {
    if (other.id === d.id) continue;
    const raw = typeof other.payload === 'string' ? safeJson(other.payload) : other.payload;
    if (!payloadProblem(raw) && claimOf(raw as ReleasePayload) === key)
      return `it claims run ${payload.run?.id} attempt ${payload.run?.attempt}, as deployment ${other.id} does`;
  }
  return undefined;
}

/**
 * A status description is free text anyone with deployments: write can set: no line breaks or
 * control characters reach a log line (where a newline could start a workflow command).
 */
export function cleanDescription(text: string | null | undefined): string {
  return (text ?? '').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
}
