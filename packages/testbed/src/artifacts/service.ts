/**
 * The runner's artifact service as @actions/artifact v6 talks to it: Twirp JSON over HTTP
 * (`/twirp/github.actions.results.api.v1.ArtifactService/<Method>`, bearer JWT whose `scp`
 * claim names the run and job), plus Azure Blob style signed upload and download URLs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpEmulator, type Reply, type Request } from '../github/server.js';
import { ArtifactStore, type StoredArtifact } from './store.js';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService';
const CACHE = '/twirp/github.actions.results.api.v1.CacheService';

export interface StoredCache {
  id: number;
  key: string;
  version: string;
  file: string;
  size: number;
  finalized: boolean;
  createdAt: number;
}
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export class ArtifactService extends HttpEmulator {
  readonly store: ArtifactStore;
  private readonly sig = randomBytes(8).toString('hex');
  private readonly blocks = new Map<string, Map<string, Buffer>>();
  readonly caches: StoredCache[] = [];

  constructor(store = new ArtifactStore()) {
    super();
    this.store = store;
    for (const method of [
      'CreateArtifact',
      'FinalizeArtifact',
      'ListArtifacts',
      'GetSignedArtifactURL',
      'DeleteArtifact',
    ] as const) {
      this.route('POST', `${SERVICE}/${method}`, (req) => this.twirp(method, req), { validate: false });
    }
    for (const method of ['CreateCacheEntry', 'FinalizeCacheEntryUpload', 'GetCacheEntryDownloadURL'] as const) {
      this.route('POST', `${CACHE}/${method}`, (req) => this.cacheTwirp(method, req), { validate: false });
    }
    this.route('PUT', '/devstoreaccount1/{container}/{blob}', (req) => this.put(req), { validate: false });
    this.route('GET', '/devstoreaccount1/{container}/{blob}', (req) => this.get(req), { validate: false });
  }

  static async start(store?: ArtifactStore): Promise<ArtifactService> {
    const s = new ArtifactService(store);
    await s.start();
    return s;
  }

  /** A runtime token (unsigned JWT, as the client never checks signatures) for a run. */
  runtimeToken(runId: number): string {
    const ids = ArtifactStore.backendIds(runId);
    const claims = {
      scp: `Actions.GenericRead:0 Actions.Results:${ids.run}:${ids.job}`,
      exp: Math.floor(Date.now() / 1000) + 3600,
    };
    return `${b64url({ typ: 'JWT', alg: 'RS256' })}.${b64url(claims)}.${randomBytes(16).toString('base64url')}`;
  }

  /** ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN for a step of run `runId`. */
  env(runId: number): { resultsUrl: string; runtimeToken: string } {
    return { resultsUrl: `${this.url}/`, runtimeToken: this.runtimeToken(runId) };
  }

  /** The signed URL of an artifact's blob (what GetSignedArtifactURL and the REST redirect hand out). */
  signedUrl(a: StoredArtifact): string {
    return `${this.url}/devstoreaccount1/artifacts/${a.id}.zip?sig=${this.sig}&se=${encodeURIComponent(a.expiresAt)}`;
  }

  private authorized(req: Request): { run: string; job: string } | undefined {
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const payload = token?.split('.')[1];
    if (!payload) return undefined;
    const scp = String((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { scp?: string }).scp ?? '');
    const scope = scp
      .split(' ')
      .find((s) => s.startsWith('Actions.Results:'))
      ?.split(':');
    return scope && scope.length === 3 ? { run: scope[1] as string, job: scope[2] as string } : undefined;
  }

  private twirp(method: string, req: Request): Reply {
    const ids = this.authorized(req);
    if (!ids) return { status: 401, body: { code: 'unauthenticated', msg: 'invalid runtime token' } };
    const b = req.json() as Record<string, unknown>;
    if (b.workflow_run_backend_id !== ids.run || b.workflow_job_run_backend_id !== ids.job) {
      return { status: 403, body: { code: 'permission_denied', msg: 'backend ids do not match the token' } };
    }
    const runId = ArtifactStore.runIdOf(ids.run);
    const mine = this.store.artifacts.filter((a) => a.runBackendId === ids.run);
    switch (method) {
      case 'CreateArtifact': {
        const name = String(b.name ?? '');
        if (mine.some((a) => a.name === name && a.finalized)) {
          return {
            status: 409,
            body: { code: 'already_exists', msg: `an artifact with this name already exists on the workflow run` },
          };
        }
        const now = new Date();
        const id = this.store.nextId();
        const a: StoredArtifact = {
          id,
          name,
          runId,
          runBackendId: ids.run,
          jobBackendId: ids.job,
          size: 0,
          digest: null,
          file: join(this.store.dir, `${id}.zip`),
          mimeType: String(b.mime_type ?? 'application/zip'),
          createdAt: now.toISOString(),
          expiresAt:
            typeof b.expires_at === 'string' ? b.expires_at : new Date(now.getTime() + 90 * 86_400_000).toISOString(),
          finalized: false,
        };
        this.store.artifacts.push(a);
        return { status: 200, body: { ok: true, signed_upload_url: this.signedUrl(a) } };
      }
      case 'FinalizeArtifact': {
        const a = mine.find((x) => x.name === b.name && !x.finalized);
        if (!a) return { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
        const data = readFileSync(a.file);
        if (String(data.length) !== String(b.size)) {
          return {
            status: 400,
            body: {
              code: 'invalid_argument',
              msg: `size ${String(b.size)} does not match the ${data.length} bytes uploaded`,
            },
          };
        }
        const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
        if (b.hash !== undefined && b.hash !== actual)
          return { status: 400, body: { code: 'invalid_argument', msg: 'hash mismatch' } };
        Object.assign(a, { size: data.length, digest: actual, finalized: true });
        return { status: 200, body: { ok: true, artifact_id: String(a.id) } };
      }
      case 'ListArtifacts': {
        const list = mine
          .filter((a) => a.finalized)
          .filter((a) => b.name_filter === undefined || a.name === b.name_filter)
          .filter((a) => b.id_filter === undefined || String(a.id) === String(b.id_filter));
        return {
          status: 200,
          body: {
            artifacts: list.map((a) => ({
              workflow_run_backend_id: a.runBackendId,
              workflow_job_run_backend_id: a.jobBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.size),
              created_at: a.createdAt,
              ...(a.digest ? { digest: a.digest } : {}),
            })),
          },
        };
      }
      case 'GetSignedArtifactURL': {
        const a = mine.find((x) => x.name === b.name && x.finalized);
        return a
          ? { status: 200, body: { signed_url: this.signedUrl(a) } }
          : { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
      }
      default: {
        const a = mine.find((x) => x.name === b.name && x.finalized);
        if (!a) return { status: 404, body: { code: 'not_found', msg: 'artifact not found' } };
        this.store.artifacts.splice(this.store.artifacts.indexOf(a), 1);
        return { status: 200, body: { ok: true, artifact_id: String(a.id) } };
      }
    }
  }

  private cacheUrl(c: StoredCache): string {
    return `${this.url}/devstoreaccount1/caches/${c.id}.tar?sig=${this.sig}`;
  }

  /** The cache service (v2) @actions/cache talks to: entries by key and version, restore keys by prefix. */
  private cacheTwirp(method: string, req: Request): Reply {
    if (!this.authorized(req)) return { status: 401, body: { code: 'unauthenticated', msg: 'invalid runtime token' } };
    const b = req.json() as { key?: string; version?: string; restore_keys?: string[]; size_bytes?: string };
    const key = String(b.key ?? '');
    const version = String(b.version ?? '');
    if (method === 'CreateCacheEntry') {
      if (this.caches.some((c) => c.key === key && c.version === version)) {
        return {
          status: 409,
          body: { code: 'already_exists', msg: 'cache entry with the same key and version already exists' },
        };
      }
      const id = this.store.nextId();
      const c: StoredCache = {
        id,
        key,
        version,
        file: join(this.store.dir, `cache-${id}.tar`),
        size: 0,
        finalized: false,
        createdAt: Date.now(),
      };
      this.caches.push(c);
      return { status: 200, body: { ok: true, signed_upload_url: this.cacheUrl(c) } };
    }
    if (method === 'FinalizeCacheEntryUpload') {
      const c = this.caches.find((x) => x.key === key && x.version === version && !x.finalized);
      if (!c) return { status: 404, body: { code: 'not_found', msg: 'cache entry not found' } };
      Object.assign(c, { finalized: true, size: readFileSync(c.file).length });
      return { status: 200, body: { ok: true, entry_id: String(c.id) } };
    }
    const done = this.caches
      .filter((c) => c.finalized && c.version === version)
      .sort((x, y) => y.createdAt - x.createdAt || y.id - x.id);
    const hit =
      done.find((c) => c.key === key) ??
      (b.restore_keys ?? []).map((p) => done.find((c) => c.key.startsWith(p))).find(Boolean);
    return hit
      ? { status: 200, body: { ok: true, signed_download_url: this.cacheUrl(hit), matched_key: hit.key } }
      : { status: 200, body: { ok: false } };
  }

  /** The file behind a signed blob URL: an artifact's zip or a cache archive. */
  private blob(req: Request): { id: string; file: string; finalized: boolean } | undefined {
    if (req.query.get('sig') !== this.sig) return undefined;
    const id = Number(String(req.params.blob).replace(/\.\w+$/, ''));
    const found =
      req.params.container === 'caches'
        ? this.caches.find((c) => c.id === id)
        : this.store.artifacts.find((a) => a.id === id);
    return found ? { id: `${req.params.container}/${id}`, file: found.file, finalized: found.finalized } : undefined;
  }

  /** Azure Blob REST: Put Block, Put Block List, or a single Put Blob. */
  private put(req: Request): Reply {
    const a = this.blob(req);
    if (!a) return { status: 403, raw: Buffer.from('AuthenticationFailed') };
    const headers = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2025-01-05',
      etag: `"0x${randomBytes(6).toString('hex')}"`,
      'last-modified': new Date().toUTCString(),
    };
    const comp = req.query.get('comp');
    if (comp === 'block') {
      const blocks = this.blocks.get(a.id) ?? new Map<string, Buffer>();
      blocks.set(String(req.query.get('blockid')), req.body);
      this.blocks.set(a.id, blocks);
      return { status: 201, raw: Buffer.alloc(0), headers };
    }
    if (comp === 'blocklist') {
      const ids = [...req.body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        (m) => m[1] as string,
      );
      const blocks = this.blocks.get(a.id) ?? new Map<string, Buffer>();
      const missing = ids.filter((id) => !blocks.has(id));
      if (missing.length) return { status: 400, raw: Buffer.from('InvalidBlockList') };
      writeFileSync(a.file, Buffer.concat(ids.map((id) => blocks.get(id) as Buffer)));
      this.blocks.delete(a.id);
      return { status: 201, raw: Buffer.alloc(0), headers };
    }
    writeFileSync(a.file, req.body);
    return { status: 201, raw: Buffer.alloc(0), headers };
  }

  private get(req: Request): Reply {
    const a = this.blob(req);
    if (!a || !a.finalized) return { status: 404, raw: Buffer.from('BlobNotFound') };
    const type = req.params.container === 'caches' ? 'application/octet-stream' : 'application/zip';
    return { status: 200, raw: readFileSync(a.file), headers: { 'content-type': type } };
  }
}
