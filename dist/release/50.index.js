export const id = 50;
export const ids = [50];
export const modules = {

/***/ 4050:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createGitHub: () => (/* reexport */ createGitHub),
  publishRelease: () => (/* reexport */ publishRelease)
});

// UNUSED EXPORTS: DO_NOT_RETRY, PAYLOAD_FORMAT, PHASED_PAUSES, Provenance, ProvenanceError, ReleaseRecords, STATE_REQUEST_LIMIT, TRUSTED_EVENTS, apiFooter, apiStats, attachToRelease, commitOfTag, conditionalRequests, countingFetch, findRelease, isOpenState, isRunId, payloadProblem, statusText, trustedBranchesFrom, trustedRecords, trustedWorkflowsFrom, workflowPath

// EXTERNAL MODULE: ./packages/kit/src/index.ts + 14 modules
var src = __webpack_require__(7971);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(1351);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/utils.js + 19 modules
var utils = __webpack_require__(5555);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
;// CONCATENATED MODULE: ./packages/github/src/api-budget.ts
/**
 * What one action spends of GitHub's API, and the two things that keep it small:
 * - every HTTP request counted at the transport (retries included), 304s apart: a conditional
 *   request answered 304 does not count against the primary rate limit when it is authorised
 *   (https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate);
 * - conditional GETs: the ETag of every answer is kept and sent back as If-None-Match, and a
 *   304 is answered from the kept body, so a wait that polls the same records costs nothing
 *   against the limit while nothing changes. ETags are tied to the token, so the cache lives as
 *   long as the client (one job's token).
 */
/** Counts each request a fetch sends, and reads the rate-limit headers of each answer. */
function countingFetch(inner, stats) {
    return async (input, init) => {
        stats.requests += 1;
        const method = (init?.method ?? 'GET').toUpperCase();
        if (method !== 'GET' && method !== 'HEAD')
            stats.writes += 1;
        const res = await inner(input, init);
        if (res.status === 304)
            stats.notModified += 1;
        const limit = Number(res.headers.get('x-ratelimit-limit'));
        const remaining = Number(res.headers.get('x-ratelimit-remaining'));
        if (res.headers.has('x-ratelimit-remaining') && Number.isFinite(limit) && Number.isFinite(remaining))
            stats.rateLimit = {
                limit,
                remaining,
                reset: Number(res.headers.get('x-ratelimit-reset')) || 0,
                resource: res.headers.get('x-ratelimit-resource') ?? 'core',
            };
        return res;
    };
}
/** How many answers the conditional cache keeps (least recently used go first). */
const KEPT = 500;
/**
 * Octokit's request hook for conditional GETs: sends back the ETag of the answer kept for the
 * same URL and returns that answer on 304. Only GETs, only answers with an ETag.
 */
function conditionalRequests() {
    const kept = new Map();
    return async (request, options, key) => {
        if ((options.method ?? 'GET').toUpperCase() !== 'GET')
            return request(options);
        const hit = kept.get(key);
        // Octokit's hooks share one options object (each inner hook is bound to it): set the header on it.
        if (hit)
            options.headers = { ...options.headers, 'if-none-match': hit.etag };
        try {
            const response = await request(options);
            const etag = response.headers.etag;
            kept.delete(key);
            if (etag) {
                kept.set(key, { etag, response });
                if (kept.size > KEPT)
                    kept.delete(kept.keys().next().value);
            }
            return response;
        }
        catch (error) {
            if (hit && error.status === 304) {
                kept.delete(key);
                kept.set(key, hit);
                return hit.response;
            }
            throw error;
        }
    };
}
/** The footer line of a summary: what the action asked of GitHub's API. */
function apiFooter(stats) {
    const free = stats.notModified
        ? ` (${stats.notModified} answered 304 Not Modified, free against the rate limit)`
        : '';
    const left = stats.rateLimit ? `; ${stats.rateLimit.remaining} of ${stats.rateLimit.limit} left this hour` : '';
    return `GitHub API: ${stats.requests} request(s)${free}, ${stats.writes} write(s)${left}.`;
}

;// CONCATENATED MODULE: ./packages/github/src/client.ts
/**
 * The one Octokit factory of the suite: retries 5xx and network errors, waits out rate limits
 * (the primary limit until its reset, a secondary one for its retry-after) up to a bound and
 * then stops with one line, never retries 422 or other client errors, sends GETs as
 * conditional requests (api-budget.ts), counts every request, and masks the token before
 * anything can print it.
 */






/** Client errors that must not be retried; 403/429 rate limits go to the throttling plugin. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
const STATS = new WeakMap();
/** The requests a client made so far (every client from createGitHub has them). */
function client_apiStats(gh) {
    return STATS.get(gh) ?? { requests: 0, notModified: 0, writes: 0 };
}
function createGitHub(options) {
    const { token, retries = 3, rateLimitRetries = 3, retryUnitMs = 1000, maxRateLimitWait = 900 } = options;
    if (!token)
        throw new Error('A GitHub token is required: set the github-token input (defaults to github.token).');
    const logger = options.logger ?? src/* actionsLogger */.MV;
    logger.secret(token);
    const baseUrl = options.baseUrl ?? 'https://api.github.com';
    const limited = (kind) => (retryAfter, opts, _o, count) => {
        const again = count < rateLimitRetries && retryAfter <= maxRateLimitWait;
        logger.warning(`GitHub ${kind} rate limit on ${opts.method} ${opts.url}; ${again ? `retrying after ${retryAfter}s` : 'giving up'}.`);
        return again;
    };
    const stats = { requests: 0, notModified: 0, writes: 0 };
    const gh = (0,github/* getOctokit */.Q)(token, {
        baseUrl,
        // The runner's proxy settings stay (@actions/github's own fetch); every request is counted.
        request: {
            ...(options.fetch ? {} : { agent: utils/* defaults */.NT.request?.agent }),
            fetch: countingFetch(options.fetch ?? utils/* defaults */.NT.request?.fetch, stats),
        },
        retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: retryUnitMs },
        throttle: {
            ...(options.paceWrites === false ? { enabled: false } : {}),
            onRateLimit: limited('primary'),
            onSecondaryRateLimit: limited('secondary'),
            retryAfterBaseValue: retryUnitMs,
        },
    }, 
    // Without retries, no retry plugin: its scheduler costs ~5 ms a request (the in-process emulator's tests).
    ...(retries > 0 ? [dist_bundle/* retry */.L] : []), plugin_throttling_dist_bundle/* throttling */.A);
    STATS.set(gh, stats);
    const conditional = conditionalRequests();
    gh.hook.wrap('request', async (request, opts) => {
        const { method, url } = gh.request.endpoint.parse(opts);
        try {
            return (await conditional(request, opts, `${method} ${url}`));
        }
        catch (error) {
            throw rateLimitError(error, retryUnitMs * maxRateLimitWait) ?? error;
        }
    });
    return gh;
}
/**
 * A request the rate limit still refuses after the waits: one line saying which limit, when it
 * resets and what to do (the throttling plugin gave up: too many tries or too long a wait).
 */
function rateLimitError(error, maxWaitMs) {
    const e = error;
    if (e.status !== 403 && e.status !== 429)
        return undefined;
    const headers = e.response?.headers ?? {};
    if (/secondary rate/i.test(e.message ?? ''))
        return new src.ActionError(`GitHub's secondary rate limit refused this job's requests (too many writes in a short time; retry-after ${headers['retry-after'] ?? 'not given'}s) after waiting up to ${(0,src/* formatDuration */.a3)(maxWaitMs)}: run the job again later.`);
    if (headers['x-ratelimit-remaining'] !== '0')
        return undefined;
    const reset = Number(headers['x-ratelimit-reset']) * 1000;
    return new src.ActionError(`GitHub's API rate limit for this token is used up (${headers['x-ratelimit-used'] ?? '?'} of ${headers['x-ratelimit-limit'] ?? '?'} ${headers['x-ratelimit-resource'] ?? 'core'} requests this hour; resets at ${Number.isFinite(reset) ? new Date(reset).toISOString() : 'an unknown time'}), and waiting for it would exceed ${(0,src/* formatDuration */.a3)(maxWaitMs)}: run the job again after the reset. GITHUB_TOKEN's limit is shared by every workflow of the repository.`);
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./packages/github/src/releases.ts
/**
 * GitHub releases, idempotently: an existing release for the tag is returned instead of a
 * duplicate; with assets, the release is a draft until every asset is uploaded.
 */


function releases_status(error) {
    return error.status;
}
/** The release for a tag, draft or published, if one exists. */
async function findRelease(gh, repo, tag, includeDrafts) {
    try {
        return (await gh.rest.repos.getReleaseByTag({ ...repo, tag })).data;
    }
    catch (error) {
        if (releases_status(error) !== 404)
            throw error;
    }
    if (!includeDrafts)
        return undefined;
    const list = await gh.rest.repos.listReleases({ ...repo, per_page: 100 });
    return list.data.find((r) => r.tag_name === tag);
}
/**
 * Creates the release for an existing tag. Without assets that is one call; with assets:
 * a draft, the uploads, then publishing. `resume` looks for a release (or draft) left by
 * an earlier run first.
 */
async function publishRelease(gh, repo, spec, resume) {
    let release = resume ? await findRelease(gh, repo, spec.tag, true) : undefined;
    if (release && !release.draft) {
        return {
            id: release.id,
            url: release.html_url,
            created: false,
            assets: release.assets.map((a) => ({ name: a.name, id: a.id })),
        };
    }
    const draft = spec.assets.length > 0;
    if (!release) {
        try {
            release = (await gh.rest.repos.createRelease({
                ...repo,
                tag_name: spec.tag,
                name: spec.name,
                body: spec.body,
                draft,
                prerelease: spec.prerelease,
                make_latest: spec.prerelease ? 'false' : 'true',
            })).data;
        }
        catch (error) {
            // 422 already_exists: another run published it meanwhile.
            const existing = releases_status(error) === 422 ? await findRelease(gh, repo, spec.tag, false) : undefined;
            if (!existing)
                throw error;
            return {
                id: existing.id,
                url: existing.html_url,
                created: false,
                assets: existing.assets.map((a) => ({ name: a.name, id: a.id })),
            };
        }
    }
    const uploaded = await uploadMissing(gh, repo, release, spec.assets);
    if (release.draft) {
        release = (await gh.rest.repos.updateRelease({
            ...repo,
            release_id: release.id,
            draft: false,
            body: spec.body,
            name: spec.name,
        })).data;
    }
    return {
        id: release.id,
        url: release.html_url,
        created: true,
        assets: [...uploaded].map(([name, id]) => ({ name, id })),
    };
}
/** Attaches files to the release with this tag (a draft counts); files already attached are kept. */
async function attachToRelease(gh, repo, tag, files) {
    const release = await findRelease(gh, repo, tag, true);
    if (!release) {
        const { ActionError } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 7971));
        throw new ActionError(`No GitHub release with tag '${tag}' to attach the build to: release first, or leave release-tag empty.`);
    }
    await uploadMissing(gh, repo, release, files);
    return release.html_url;
}
/** Uploads the files a release does not have yet (by name); returns every asset name -> id. */
async function uploadMissing(gh, repo, release, files) {
    const uploaded = new Map(release.assets.map((a) => [a.name, a.id]));
    for (const file of files) {
        const name = (0,external_node_path_.basename)(file);
        if (uploaded.has(name))
            continue;
        const data = await (0,promises_.readFile)(file);
        const asset = await gh.rest.repos.uploadReleaseAsset({
            ...repo,
            release_id: release.id,
            name,
            url: release.upload_url,
            data: data,
            headers: { 'content-type': 'application/octet-stream', 'content-length': data.length },
        });
        uploaded.set(name, asset.data.id);
    }
    return uploaded;
}
/** The commit a tag points at (annotated tags followed), or '' when the tag does not exist. */
async function releases_commitOfTag(gh, repo, tag) {
    try {
        let { data } = await gh.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
        for (let depth = 0; data.object.type === 'tag' && depth < 4; depth += 1) {
            const tagObject = await gh.rest.git.getTag({ ...repo, tag_sha: data.object.sha });
            data = { ...data, object: tagObject.data.object };
        }
        return data.object.type === 'commit' ? data.object.sha : '';
    }
    catch (error) {
        if (error.status === 404)
            return '';
        throw error;
    }
}

;// CONCATENATED MODULE: ./packages/github/src/payload.ts
/**
 * The payload of a release record, and the validator every reader applies: what this suite
 * writes into a deployment, and the only shapes it acts on.
 */

/**
 * The format of the payloads this suite writes, stamped by ReleaseRecords.create. A reader
 * acts only on the formats it knows: a payload of a newer format (written by a later rollgate,
 * whose rules this one cannot know) is left out like any record it cannot validate. Payloads
 * written before the field existed have the same shape: they read as format 1.
 */
const payload_PAYLOAD_FORMAT = 1;
const PHASED_PAUSES = (/* unused pure expression or super */ null && (['auto', 'manual', 'first']));
const SERVER_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** A target's address as the `targets` input takes it: an IPv4 address and a port (no host name, no unix socket). */
const TARGET_ADDRESS = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d):(?:[1-9]\d{0,4})$/;
/** Why a recorded phased plan is not one the phased action writes, or undefined. */
function phasedProblem(plan) {
    if (!plan || typeof plan !== 'object')
        return 'phased is not an object';
    const p = plan;
    if (!PHASED_PAUSES.includes(p.pause))
        return 'phased.pause is not auto, manual or first';
    const ms = p.interval_ms;
    if (!Number.isInteger(ms) || ms < 1000 || ms > 86_400_000)
        return 'phased.interval_ms is out of range';
    if (!Array.isArray(p.batches) || p.batches.length < 1 || p.batches.length > 1000)
        return 'phased.batches is not a list of batches';
    const names = new Set();
    for (const batch of p.batches) {
        if (!Array.isArray(batch) || batch.length < 1)
            return 'phased.batches holds a batch that is not a list of targets';
        for (const t of batch) {
            if (!t || typeof t.name !== 'string' || !SERVER_NAME.test(t.name) || names.has(t.name))
                return 'phased.batches holds a target without a unique server name';
            if (typeof t.address !== 'string' || !TARGET_ADDRESS.test(t.address) || Number(t.address.split(':')[1]) > 65_535)
                return `phased.batches: ${t.name}'s address is not an IPv4 address and port (as the targets input takes)`;
            if (t.zone !== undefined && (typeof t.zone !== 'string' || !SERVER_NAME.test(t.zone)))
                return `phased.batches: ${t.name}'s zone is not a name (as the targets input takes)`;
            names.add(t.name);
        }
    }
    return undefined;
}
/**
 * A run id as GitHub writes it: digits without a leading zero (`"0123"` would name run 123 under
 * another spelling, and twins are told apart by the number). Given as a string, as the suite writes it.
 */
const isRunId = (v) => typeof v === 'string' && /^[1-9]\d{0,15}$/.test(v);
/** A run attempt: GitHub numbers them from 1. */
const isAttempt = (v) => Number.isSafeInteger(v) && v >= 1 && v <= 10_000;
const isId = (v) => Number.isSafeInteger(v) && v > 0;
/** Why a recorded index is not one the suite writes, or undefined. */
function indexProblem(index) {
    if (!index || typeof index !== 'object')
        return 'index is not an object';
    const x = index;
    if (!Number.isSafeInteger(x.head) || x.head < 0)
        return 'index.head is not a deployment id';
    if (x.live !== undefined && !isId(x.live))
        return 'index.live is not a deployment id';
    if (!Array.isArray(x.open) || x.open.length > 20 || !x.open.every(isId))
        return 'index.open is not a list of deployment ids';
    return undefined;
}
/**
 * Why a payload cannot have been written by this suite (a value fails the validator every
 * action applies to what it writes), or undefined when it passes. Such a record is never
 * acted on: history() leaves it out and says so.
 */
function payload_payloadProblem(payload) {
    if (!payload || typeof payload !== 'object')
        return 'no payload object';
    const p = payload;
    if (p.format !== undefined && p.format !== payload_PAYLOAD_FORMAT)
        return Number.isInteger(p.format) && p.format > payload_PAYLOAD_FORMAT
            ? `format ${p.format} is newer than this rollgate reads (${payload_PAYLOAD_FORMAT}): upgrade the actions`
            : `format ${JSON.stringify(p.format)?.slice(0, 20)} is not a payload format`;
    const checks = [
        ['version', p.version, 'version', true],
        ['version', p.stable, 'stable', false],
        ['address', p.address, 'address', false],
        ['address', p.stable_address, 'stable_address', false],
        ['version', p.tag, 'tag', false],
        ['name', p.slot, 'slot', false],
    ];
    const artifact = p.artifact;
    if (artifact !== undefined) {
        if (!artifact || typeof artifact !== 'object')
            return 'artifact is not an object';
        checks.push(['name', artifact.name, 'artifact.name', true], ['digest', artifact.digest, 'artifact.digest', false], ['name', artifact.asset, 'artifact.asset', false], ['version', artifact.release_tag, 'artifact.release_tag', false]);
        if (artifact.run_id !== undefined && !isRunId(artifact.run_id))
            return 'artifact.run_id is not a run id';
    }
    if (p.fleet !== undefined && typeof p.fleet !== 'boolean')
        return 'fleet is not true or false';
    const run = p.run;
    if (run !== undefined && (!run || !isRunId(run.id) || !isAttempt(run.attempt)))
        return 'run is not a workflow run id and attempt';
    const rollout = p.rollout;
    if (rollout !== undefined) {
        const steps = rollout?.steps;
        if (!Array.isArray(steps) || !steps.every((s) => Number.isInteger(s) && s >= 1 && s <= 100))
            return 'rollout.steps is not a list of percentages';
        if (!Number.isInteger(rollout?.interval_ms) ||
            rollout.interval_ms < 1000 ||
            rollout.interval_ms > 86_400_000)
            return 'rollout.interval_ms is out of range';
    }
    if (p.phased !== undefined) {
        const why = phasedProblem(p.phased);
        if (why)
            return why;
    }
    if (p.index !== undefined) {
        const why = indexProblem(p.index);
        if (why)
            return why;
    }
    const from = p.promoted_from;
    if (from !== undefined) {
        if (!from || !isId(from.deployment_id))
            return 'promoted_from.deployment_id is not a deployment id';
        // GitHub's environment names: up to 255 characters (no control characters here).
        const name = from.environment;
        if (typeof name !== 'string' ||
            name.length < 1 ||
            name.length > 255 ||
            [...name].some((c) => c < ' ' || c === '\x7f'))
            return 'promoted_from.environment is not an environment name';
    }
    for (const [kind, value, field, required] of checks) {
        if (value === undefined && !required)
            continue;
        if (!isValid(kind, value))
            return `${field} ${JSON.stringify(value)?.slice(0, 40) ?? 'missing'} is not ${VALUE_RULES[kind].description}`;
    }
    return undefined;
}

;// CONCATENATED MODULE: ./packages/github/src/environment-state.ts
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


const PAGE = 100;
/** Most requests one reading of the state may make before it stops with one line (a flood of untrusted records). */
const STATE_REQUEST_LIMIT = 400;
/** How long before a run's creation a record of it may be stamped (clocks, as provenance allows). */
const SLACK_MS = (/* unused pure expression or super */ null && (2 * 60_000));
const isOpenState = (state) => state === 'in_progress' || state === 'queued' || state === 'pending' || state === 'none';
class environment_state_EnvironmentReader {
    gh;
    repo;
    environment;
    verifier;
    logger;
    requests;
    listed = new Map();
    verdicts = new Map();
    shaClaims = new Map();
    constructor(gh, repo, environment, verifier, logger, 
    /** Counts the requests one reading makes (the client's counter). */
    requests = () => 0) {
        this.gh = gh;
        this.repo = repo;
        this.environment = environment;
        this.verifier = verifier;
        this.logger = logger;
        this.requests = requests;
    }
    /** The state now: walks the newest records down to the newest trusted index, then the records the indexes name. */
    async read() {
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
    async whole() {
        const walk = new Walk(this, this.requests());
        await walk.run(true);
        return walk.finish();
    }
    /** One page of the environment's deployments, newest first (a conditional request: 304 when unchanged). */
    async page(n) {
        const { data } = await this.gh.rest.repos.listDeployments({
            ...this.repo,
            environment: this.environment,
            per_page: PAGE,
            page: n,
        });
        const out = data.map((d) => ({ id: d.id, sha: d.sha, ref: d.ref, created_at: d.created_at, payload: d.payload }));
        for (const d of out)
            this.listed.set(d.id, d);
        return out;
    }
    /** One deployment by id (a record an index names), or undefined when GitHub has none. */
    async get(id) {
        const known = this.listed.get(id);
        if (known)
            return known;
        try {
            const { data } = await this.gh.rest.repos.getDeployment({ ...this.repo, deployment_id: id });
            if (data.environment !== this.environment && data.original_environment !== this.environment)
                return undefined;
            const d = { id: data.id, sha: data.sha, ref: data.ref, created_at: data.created_at, payload: data.payload };
            this.listed.set(id, d);
            return d;
        }
        catch (error) {
            if (error.status === 404)
                return undefined;
            throw error;
        }
    }
    /** The records of one commit in this environment: where a twin of a record deep in the history would be. */
    commitRecords(sha) {
        let found = this.shaClaims.get(sha);
        if (!found) {
            found = this.gh.rest.repos
                .listDeployments({ ...this.repo, environment: this.environment, sha, per_page: PAGE })
                .then(({ data }) => data.map((d) => ({ id: d.id, sha: d.sha, ref: d.ref, created_at: d.created_at, payload: d.payload })));
            this.shaClaims.set(sha, found);
        }
        return found;
    }
    /** Provenance of a record (kept: a deployment's payload, commit and time never change). */
    provenance(d, payload) {
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
    async runStart(payload) {
        if (!payload.run || !this.verifier?.runStart)
            return undefined;
        return this.verifier.runStart(payload.run.id);
    }
    /** The status of a trusted record now: the latest, and whether any was success. */
    async withStatus(d, payload) {
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
            state: latest?.state ?? 'none',
            description: environment_state_cleanDescription(latest?.description),
            everSucceeded: data.some((s) => s.state === 'success'),
        };
    }
    /** One record by id, trusted (payload, provenance, no twin among its commit's records) with its status; undefined when GitHub has none here. */
    async trusted(id) {
        const d = await this.get(id);
        if (!d)
            return undefined;
        const [record] = await this.checked([d], await this.commitRecords(d.sha));
        return record;
    }
    /** The trusted records of one commit (a release, at any depth), newest first. */
    async ofCommit(sha) {
        const list = await this.commitRecords(sha);
        return this.checked(list, list, true);
    }
    /** Records checked one by one against the records of their commit; `quiet` leaves out the untrusted, else the first refusal throws. */
    async checked(list, commit, quiet = false) {
        const out = [];
        for (const d of list) {
            const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
            let why = payloadProblem(raw);
            const payload = raw;
            why ??= await this.provenance(d, payload);
            why ??= twinAmong(d, payload, commit);
            if (why) {
                this.warn(d.id, why);
                if (quiet)
                    continue;
                throw new ActionError(`Deployment ${d.id} in ${this.environment} is not trusted: ${why}.`);
            }
            out.push(await this.withStatus(d, payload));
        }
        return out.sort((a, b) => b.id - a.id);
    }
    /** Says once per record that it is ignored. */
    warned = new Set();
    warn(id, why) {
        if (this.warned.has(id))
            return;
        this.warned.add(id);
        this.logger?.warning(`Deployment ${id} in ${this.environment} is not trusted and is ignored: ${why}.`);
    }
    spent(since) {
        return this.requests() - since;
    }
}
/** The claim a record makes on a run attempt: one record per run attempt and environment. */
const claimOf = (p) => (p?.run ? `${Number(p.run.id)}/${p.run.attempt}` : undefined);
/** One reading: the walk down the list, then the records the indexes name. */
class Walk {
    reader;
    startedAt;
    seen = new Map();
    floor = Infinity;
    head = 0;
    windowStart = Infinity;
    legacyLive = false;
    whole = false;
    /** Records the indexes name: by whom, and as what (the live release then, or an open record). */
    named = new Map();
    constructor(reader, startedAt) {
        this.reader = reader;
        this.startedAt = startedAt;
    }
    /** Walks pages until the indexes and the run windows cover the rest (or, `all`, to the end). */
    async run(all) {
        for (let n = 1;; n += 1) {
            const page = await this.reader.page(n);
            if (n === 1)
                this.head = page[0]?.id ?? 0;
            for (const d of page) {
                if (!all && this.covered(d))
                    return;
                if (!this.seen.has(d.id))
                    await this.visit(d);
                this.budget();
            }
            if (page.length < PAGE) {
                this.whole = true;
                return;
            }
        }
    }
    /** Whether the records from `d` down are summed up by a trusted index (or, before indexes, by the newest success). */
    covered(d) {
        const summed = this.floor === Infinity ? this.legacyLive : d.id <= this.floor;
        return summed && Date.parse(d.created_at) < this.windowStart - SLACK_MS;
    }
    budget() {
        const spent = this.reader.spent(this.startedAt);
        if (spent <= STATE_REQUEST_LIMIT)
            return;
        const untrusted = [...this.seen.values()].filter((s) => s.why).length;
        throw new ActionError(`The records of ${this.reader.environment} could not be read within ${STATE_REQUEST_LIMIT} requests: ${this.seen.size} read, ${untrusted} of them not trusted (a flood of records this suite did not write?). Nothing was changed; remove the untrusted deployments (Settings → Environments, or the REST API) and run again.`);
    }
    async visit(d) {
        const s = await this.check(d);
        this.seen.set(d.id, s);
        if (!s.record)
            return;
        const p = s.record.payload;
        if (p.index) {
            this.floor = Math.min(this.floor, p.index.head);
            if (p.index.live && !this.named.has(p.index.live))
                this.named.set(p.index.live, { by: d.id, as: 'live' });
            for (const id of p.index.open)
                this.named.set(id, { by: d.id, as: 'open' });
        }
        else if (s.record.state === 'success')
            this.legacyLive = true;
        const start = await this.reader.runStart(p);
        if (start !== undefined)
            this.windowStart = Math.min(this.windowStart, start);
    }
    /** A record checked: payload, provenance, then its status. */
    async check(d) {
        const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
        if (!raw || typeof raw !== 'object' || !('version' in raw))
            return { listed: d, why: 'not a rollgate record', foreign: true };
        const problem = payloadProblem(raw);
        if (problem)
            return { listed: d, why: problem };
        const payload = raw;
        const why = await this.reader.provenance(d, payload);
        if (why)
            return { listed: d, payload, why };
        return { listed: d, payload, record: await this.reader.withStatus(d, payload) };
    }
    /** The records the indexes name below the walk, then twins, then what is live and open. */
    async finish() {
        // A release named live by an index but older than a live release walked is replaced by it (the newest success is live).
        const liveWalked = Math.max(0, ...[...this.seen.values()].filter((x) => x.record?.state === 'success').map((x) => x.listed.id));
        for (const [id, { by, as }] of this.named) {
            if (this.seen.has(id) || (as === 'live' && id < liveWalked))
                continue;
            const d = await this.reader.get(id);
            if (!d) {
                this.seen.set(id, {
                    listed: { id, sha: '', ref: '', created_at: '', payload: {} },
                    why: `named by deployment ${by}, but GitHub has no such deployment in ${this.reader.environment}`,
                });
                continue;
            }
            const s = await this.check(d);
            if (s.record)
                s.why = await this.twinByCommit(d, s.payload);
            if (s.why)
                s.record = undefined;
            this.seen.set(id, s);
        }
        this.refuseTwins();
        const all = [...this.seen.values()].sort((a, b) => b.listed.id - a.listed.id);
        const records = all.flatMap((s) => (s.record ? [s.record] : []));
        const refused = all.filter((s) => s.why && !s.foreign).map((s) => ({ id: s.listed.id, why: s.why }));
        for (const r of refused)
            this.reader.warn(r.id, r.why);
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
    lost(records) {
        const writer = [...this.seen.values()]
            .filter((s) => s.record?.payload.index?.live)
            .sort((a, b) => b.listed.id - a.listed.id)[0];
        const id = writer?.record?.payload.index?.live;
        if (!writer || !id)
            return {};
        const now = records.find((r) => r.id === id);
        const why = now ? `is ${now.state} now` : `is not trusted now (${this.seen.get(id)?.why ?? 'not read'})`;
        return { lost: `deployment ${id}, live when deployment ${writer.listed.id} was written, ${why}` };
    }
    /** Two records claiming one run attempt: the payload is anyone's to write, so neither is trusted. */
    refuseTwins() {
        const claims = new Map();
        for (const s of this.seen.values()) {
            const key = claimOf(s.payload);
            if (key && s.payload && !payloadProblem(s.payload))
                claims.set(key, [...(claims.get(key) ?? []), s]);
        }
        for (const group of claims.values()) {
            if (group.length < 2)
                continue;
            for (const s of group) {
                const others = group.filter((o) => o !== s).map((o) => o.listed.id);
                s.why = `it claims run ${s.payload?.run?.id} attempt ${s.payload?.run?.attempt}, as deployment ${others.join(', ')} does`;
                s.record = undefined;
            }
        }
    }
    /** A twin of a record deep in the history: another record of its commit claiming its run attempt. */
    async twinByCommit(d, payload) {
        return twinAmong(d, payload, await this.reader.commitRecords(d.sha));
    }
}
/** Another record among `others` claiming the run attempt `payload` claims: why `d` is not trusted, or undefined. */
function twinAmong(d, payload, others) {
    const key = claimOf(payload);
    if (!key)
        return undefined;
    for (const other of others) {
        if (other.id === d.id)
            continue;
        const raw = typeof other.payload === 'string' ? safeJson(other.payload) : other.payload;
        if (!payloadProblem(raw) && claimOf(raw) === key)
            return `it claims run ${payload.run?.id} attempt ${payload.run?.attempt}, as deployment ${other.id} does`;
    }
    return undefined;
}
/**
 * A status description is free text anyone with deployments: write can set: no line breaks or
 * control characters reach a log line (where a newline could start a workflow command).
 */
function environment_state_cleanDescription(text) {
    return (text ?? '').replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}
function safeJson(s) {
    try {
        return JSON.parse(s);
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./packages/github/src/deployments.ts
/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */






/** GitHub limits a status description to 140 characters. */
function statusText(text) {
    const s = redact(text);
    return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}
class deployments_ReleaseRecords {
    gh;
    repo;
    environment;
    logger;
    provenance;
    logUrl;
    reader;
    /** The run attempts this writer created records for (a run attempt writes one record per environment). */
    created = new Map();
    constructor(gh, repo, environment, 
    /** Where to say that a record is ignored (the runner's log in an action: kit's actionsLogger). */
    logger, 
    /** Traces each record to the run that wrote it; without it (unit tests only) payloads are only validated. */
    provenance, 
    /** This run's URL (with its attempt): every status this writer posts names it (log_url), so readers can trace it. */
    logUrl) {
        this.gh = gh;
        this.repo = repo;
        this.environment = environment;
        this.logger = logger;
        this.provenance = provenance;
        this.logUrl = logUrl;
        this.reader = new EnvironmentReader(gh, repo, environment, provenance, logger, () => apiStats(gh).requests);
    }
    /**
     * Creates this run's record, with the index of what the run read (`read`: the state it decided
     * on), so later readers need not walk past it. One record per run attempt and environment.
     */
    async create(ref, payload, description, read, options = {}) {
        const claim = payload.run ? `${Number(payload.run.id)}/${payload.run.attempt}` : undefined;
        const earlier = claim ? this.created.get(claim) : undefined;
        if (earlier !== undefined)
            throw new Error(`This run already wrote deployment ${earlier} in ${this.environment}: a run attempt writes one record per environment.`);
        const index = {
            head: read.head,
            ...(read.live ? { live: read.live.id } : {}),
            open: read.open.map((r) => r.id).slice(0, 20),
        };
        const res = await this.gh.rest.repos.createDeployment({
            ...this.repo,
            ref,
            environment: this.environment,
            task: 'deploy',
            auto_merge: false,
            required_contexts: [],
            payload: { ...payload, format: PAYLOAD_FORMAT, index },
            description: statusText(description),
            ...(options.transient !== undefined ? { transient_environment: options.transient } : {}),
            ...(options.production !== undefined ? { production_environment: options.production } : {}),
        });
        if (res.status !== 201)
            throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
        const id = res.data.id;
        if (claim)
            this.created.set(claim, id);
        return id;
    }
    async status(id, state, description, extra = {}) {
        await this.gh.rest.repos.createDeploymentStatus({
            ...this.repo,
            deployment_id: id,
            state,
            description: statusText(description),
            environment: this.environment,
            auto_inactive: false,
            ...((extra.logUrl ?? this.logUrl) ? { log_url: extra.logUrl ?? this.logUrl } : {}),
            ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
        });
    }
    /** The latest status of one deployment (its state 'none' before any status); a conditional request. */
    async latest(id) {
        const [s] = await this.statuses(id, 1);
        return { state: s?.state ?? 'none', description: s?.description ?? '' };
    }
    /** The recent statuses of one deployment, newest first (what else wrote to it while a run moves it). */
    async statuses(id, limit = 20) {
        const { data } = await this.gh.rest.repos.listDeploymentStatuses({
            ...this.repo,
            deployment_id: id,
            per_page: limit,
        });
        return data.map((s) => ({
            state: s.state,
            description: cleanDescription(s.description),
            created_at: s.created_at,
            log_url: s.log_url ?? '',
        }));
    }
    /**
     * Why a status was not written by a trusted run of the suite (the run its log_url names passes
     * provenance and had a job running when the status was written), or undefined. Without a
     * verifier (unit tests of the state machines) every status is taken as written.
     */
    async statusProblem(status) {
        if (!this.provenance?.statusProblem)
            return undefined;
        if (this.logUrl && status.log_url === this.logUrl)
            return undefined;
        return this.provenance.statusProblem(status);
    }
    /** This writer's own run (its log_url): statuses it wrote itself. */
    ownStatus(status) {
        return !!this.logUrl && status.log_url === this.logUrl;
    }
    /** The environment now: live, open and the records that matter, exact at any depth (environment-state.ts). */
    state() {
        return this.reader.read();
    }
    /** Every record of the environment, read to the end: the last resort for records written before indexes. */
    whole() {
        return this.reader.whole();
    }
    /**
     * One trusted record by id (rollback's to-deployment), with its status; undefined when there
     * is none in this environment; an error naming why when it is not trusted.
     */
    async record(id) {
        return this.reader.trusted(id);
    }
    /** The trusted records of one commit in this environment, newest first (a release's records, at any depth). */
    ofCommit(sha) {
        return this.reader.ofCommit(sha);
    }
    /** Marks the given records inactive (the releases a new live one replaced). */
    async retire(ids, keep) {
        const retired = [];
        for (const id of ids) {
            if (id === keep)
                continue;
            await this.status(id, 'inactive', `replaced by deployment ${keep}`);
            retired.push(id);
        }
        return retired;
    }
}

;// CONCATENATED MODULE: ./packages/github/src/runs.ts
/**
 * What GitHub says of a workflow run, read once per run and kept: the run itself
 * (https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run), the jobs of one
 * attempt and when each ran on a runner
 * (https://docs.github.com/en/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt),
 * and whether a commit is on a branch (the compare API: the branch head is the commit or a
 * descendant of it, https://docs.github.com/en/rest/commits/commits#compare-two-commits).
 */

class ProvenanceError extends (/* unused pure expression or super */ null && (ActionError)) {
}
class runs_RunReader {
    gh;
    repo;
    runs = new Map();
    jobs = new Map();
    onBranches = new Map();
    constructor(gh, repo) {
        this.gh = gh;
        this.repo = repo;
    }
    /** The run, or why there is none to trust (it does not exist here). */
    run(id) {
        let found = this.runs.get(id);
        if (!found) {
            found = this.gh.rest.actions.getWorkflowRun({ ...this.repo, run_id: Number(id) }).then(({ data }) => ({
                id,
                event: data.event,
                headBranch: data.head_branch ?? '',
                headSha: data.head_sha,
                path: data.path ?? '',
                repository: data.repository.full_name.toLowerCase(),
                headRepository: (data.head_repository?.full_name ?? '').toLowerCase(),
                createdAt: Date.parse(data.created_at),
                status: data.status ?? '',
                completed: data.status === 'completed',
                updatedAt: Date.parse(data.updated_at),
                attempt: data.run_attempt ?? 1,
                referencedWorkflows: (data.referenced_workflows ?? []).map((w) => w.path),
            }), (error) => {
                if (error.status === 404)
                    return `workflow run ${id} does not exist in ${this.repo.owner}/${this.repo.repo}`;
                throw readError(error);
            });
            this.runs.set(id, found);
        }
        return found;
    }
    /** When each job of attempt `attempt` of run `id` ran on a runner (jobs queued or waiting for approval never ran). */
    jobWindows(id, attempt) {
        const key = `${id}/${attempt}`;
        let found = this.jobs.get(key);
        if (!found) {
            found = this.gh.rest.actions
                .listJobsForWorkflowRunAttempt({ ...this.repo, run_id: Number(id), attempt_number: attempt, per_page: 100 })
                .then(({ data }) => data.jobs.flatMap((j) => {
                // A job ran when a runner took it: its first step's start (GitHub stamps started_at at creation too).
                const began = j.steps?.[0]?.started_at ?? (j.runner_name ? j.started_at : null);
                if (!began || !j.runner_name)
                    return [];
                return [
                    {
                        name: j.name,
                        start: Date.parse(began),
                        ...(j.completed_at ? { end: Date.parse(j.completed_at) } : {}),
                    },
                ];
            }), (error) => {
                if (error.status === 404)
                    return [];
                throw readError(error);
            });
            this.jobs.set(key, found);
        }
        return found;
    }
    /**
     * Whether `sha` is on `branch`: the branch head (read as refs/heads/<branch>, never a tag of the
     * same name) is `sha` or one of its descendants.
     */
    onBranch(sha, branch) {
        const key = `${branch}...${sha}`;
        let found = this.onBranches.get(key);
        if (!found) {
            found = this.branchHead(branch).then(async (head) => {
                if (!head)
                    return false;
                if (head === sha)
                    return true;
                try {
                    const { data } = await this.gh.rest.repos.compareCommitsWithBasehead({
                        ...this.repo,
                        basehead: `${head}...${sha}`,
                        per_page: 1,
                    });
                    return data.status === 'identical' || data.status === 'behind';
                }
                catch (error) {
                    if (error.status === 404)
                        return false;
                    throw readError(error);
                }
            });
            this.onBranches.set(key, found);
        }
        return found;
    }
    heads = new Map();
    /** The commit a branch points at ('' when there is no such branch). */
    branchHead(branch) {
        let found = this.heads.get(branch);
        if (!found) {
            found = this.gh.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` }).then(({ data }) => (data.object.type === 'commit' ? data.object.sha : ''), (error) => {
                if (error.status === 404)
                    return '';
                throw readError(error);
            });
            this.heads.set(branch, found);
        }
        return found;
    }
}
function readError(error) {
    if (error.status === 403 && !/rate limit/i.test(error.message ?? ''))
        return new ProvenanceError(`The token cannot read workflow runs or commits (${(error.message ?? '403').replace(/ - https:\/\/docs\.github\.com\S*$/, '')}): give the job \`actions: read\` and \`contents: read\` so records can be traced to their runs.`);
    return error;
}

;// CONCATENATED MODULE: ./packages/github/src/provenance.ts
/**
 * Provenance of release records: a deployment record is acted on only if GitHub's own data
 * shows it came from this repository's pipeline. Anyone with `deployments: write` can write a
 * payload; nobody can make GitHub report a workflow run that did not happen. So a record must
 * name the run that wrote it (`payload.run`) and, when it carries an artifact, the run that
 * built it (`artifact.run_id`), and each run must:
 *   - exist in this repository (GET /repos/{owner}/{repo}/actions/runs/{run_id}, `actions: read`:
 *     https://docs.github.com/en/rest/actions/workflow-runs#get-a-workflow-run),
 *   - have run this repository's code, not a fork's (`head_repository`),
 *   - come from a workflow file under .github/workflows (not a dynamic workflow),
 *   - be a run of the suite's workflows (pipeline.yml, promote.yml, rollback.yml, or a workflow
 *     that calls one of them) or of a workflow named in `trusted-workflows`,
 *   - have been started by a push, a manual dispatch, a schedule or another run, never by a
 *     pull request or an issue event,
 *   - have run a commit that is on a trusted branch (the default branch unless the user names
 *     others): its head_branch is one, and the branch head is that commit or a descendant of it
 *     (a tag named like the branch is not the branch, and its commit need not be on it).
 * The build run's commit must be the record's commit (the deployment sha, `payload.commit`, the
 * release tag's commit). The record must claim an attempt the run had, and have been created
 * while a job of that attempt ran on a runner (a run queued or waiting for reviewers writes
 * nothing); a run attempt writes one record per environment (twins: environment-state.ts).
 * An artifact named by id must belong to the build run; a release asset must hang on the
 * release of the record's tag, and its digest (where GitHub reports one) be the recorded one.
 * Why not artifact attestations: they need Sigstore (public-good instance for public
 * repositories, GitHub Enterprise Cloud for private ones) and they prove where an artifact was
 * built, not who wrote a deployment record, so addresses and versions in a forged record would
 * still be trusted. See DESIGN notes in SECURITY.md.
 */




/** Events whose runs may write records. A pull request, comment or review never may. */
const TRUSTED_EVENTS = (/* unused pure expression or super */ null && (['push', 'workflow_dispatch', 'schedule', 'workflow_run', 'repository_dispatch']));
/** The suite's workflows: a run of one, or of a workflow that calls one, may write records. */
const SUITE_WORKFLOW = /(?:^|\/)\.github\/workflows\/(?:pipeline|promote|rollback|carry)\.ya?ml(?:@|$)/;
/** How far from a job's run a record it wrote may be stamped (GitHub's clocks, API latency). */
const provenance_SLACK_MS = (/* unused pure expression or super */ null && (2 * 60_000));

class Provenance {
    gh;
    repo;
    trustedBranches;
    trustedWorkflows;
    runs;
    tags = new Map();
    verdicts = new Map();
    branchesPromise;
    constructor(gh, repo, 
    /** Branches whose runs may write records; empty: the repository's default branch. */
    trustedBranches = [], 
    /** Workflow files (besides the suite's and those calling them) whose runs may write records. */
    trustedWorkflows = []) {
        this.gh = gh;
        this.repo = repo;
        this.trustedBranches = trustedBranches;
        this.trustedWorkflows = trustedWorkflows;
        this.runs = new RunReader(gh, repo);
    }
    get fullName() {
        return `${this.repo.owner}/${this.repo.repo}`.toLowerCase();
    }
    /** The trusted branches (the default branch, looked up once, when none were named). */
    branches() {
        this.branchesPromise ??= this.trustedBranches.length
            ? Promise.resolve(this.trustedBranches)
            : this.gh.rest.repos.get({ ...this.repo }).then((r) => [r.data.default_branch]);
        return this.branchesPromise;
    }
    /** Why run `id` cannot have written or built a trusted release, or undefined. */
    async runProblem(id) {
        const run = await this.runs.run(id);
        if (typeof run === 'string')
            return run;
        if (run.repository !== this.fullName)
            return `run ${id} belongs to ${run.repository}`;
        if (run.headRepository !== this.fullName)
            return `run ${id} ran code from ${run.headRepository || 'another repository'} (a fork)`;
        const path = workflowPath(run.path, this.fullName);
        if (!path.startsWith('.github/workflows/'))
            return `run ${id} is not a run of a workflow file of this repository (${run.path})`;
        if (!TRUSTED_EVENTS.includes(run.event))
            return `run ${id} was started by ${run.event}, not by a push, dispatch or schedule`;
        const workflow = this.workflowProblem(run, path);
        if (workflow)
            return workflow;
        return this.branchProblem(run);
    }
    /** Only the suite's workflows, those calling them, and those the user names write records. */
    workflowProblem(run, path) {
        if (SUITE_WORKFLOW.test(path) || this.trustedWorkflows.includes(path))
            return undefined;
        if (run.referencedWorkflows.some((w) => SUITE_WORKFLOW.test(w)))
            return undefined;
        return `run ${run.id} is a run of ${path}, which neither is nor calls the suite's pipeline.yml, promote.yml, rollback.yml or carry.yml (name a workflow that uses the actions directly in trusted-workflows)`;
    }
    /** The run's commit is on a trusted branch: named like one, and the branch head is it or a descendant. */
    async branchProblem(run) {
        const branches = await this.branches();
        if (!branches.includes(run.headBranch))
            return `run ${run.id} ran on ${run.headBranch || 'no branch'}, not on ${branches.join(' or ')}`;
        if (await this.runs.onBranch(run.headSha, run.headBranch))
            return undefined;
        return `run ${run.id} ran commit ${run.headSha.slice(0, 12)}, which is not on ${run.headBranch} (a tag or another ref named ${run.headBranch}, not the branch)`;
    }
    /** The commit run `id` ran on (after runProblem passed). */
    async runSha(id) {
        const run = await this.runs.run(id);
        return typeof run === 'string' ? '' : run.headSha;
    }
    /** When run `id` was created (records of it cannot be older), epoch ms; undefined when it cannot be read. */
    async runStart(id) {
        const run = await this.runs.run(id).catch(() => undefined);
        return run && typeof run !== 'string' ? run.createdAt : undefined;
    }
    /** Why a record could not have been written by attempt `attempt` of run `run` at its time: the attempt, and a job running then. */
    async writtenProblem(run, attempt, createdAt) {
        if (attempt > run.attempt)
            return `it claims attempt ${attempt} of run ${run.id}, which has had ${run.attempt} attempt(s)`;
        const at = Date.parse(createdAt);
        const jobs = await this.runs.jobWindows(run.id, attempt);
        const running = jobs.some((j) => at >= j.start - provenance_SLACK_MS && (j.end === undefined || at <= j.end + provenance_SLACK_MS));
        if (running)
            return undefined;
        return `it was created at ${createdAt}, when no job of run ${run.id} attempt ${attempt} was running (${run.status === 'waiting' || run.status === 'queued' ? `the run is ${run.status}` : 'outside the run'})`;
    }
    tagCommit(tag) {
        let found = this.tags.get(tag);
        if (!found) {
            found = commitOfTag(this.gh, this.repo, tag).catch(() => '');
            this.tags.set(tag, found);
        }
        return found;
    }
    /**
     * Why a deployment status cannot be traced to a run of the suite: its log_url must name a run
     * of this repository (`.../<owner>/<repo>/actions/runs/<id>[/attempts/<n>]`) that passes the
     * writer's rules and had a job running when the status was written. Anyone with
     * deployments: write can post a status; nobody can make GitHub report a run that was not there.
     */
    async statusProblem(status) {
        const m = /\/([^/]+)\/([^/]+)\/actions\/runs\/([1-9]\d{0,15})(?:\/attempts\/([1-9]\d{0,4}))?\/?$/.exec(status.log_url);
        if (!m || `${m[1]}/${m[2]}`.toLowerCase() !== this.fullName)
            return `its log_url ${JSON.stringify(status.log_url.slice(0, 80))} names no run of ${this.fullName}`;
        const id = m[3];
        const writer = await this.runProblem(id);
        if (writer)
            return writer;
        const run = (await this.runs.run(id));
        return this.writtenProblem(run, Number(m[4] ?? run.attempt), status.created_at);
    }
    /**
     * Why a record cannot be traced to this repository's pipeline, or undefined when it can. A
     * deployment's payload, commit and creation time never change, so the verdict is kept: the
     * history is read again and again (every poll of a wait) without asking GitHub again.
     */
    problem(record) {
        let verdict = this.verdicts.get(record.id);
        if (!verdict) {
            verdict = this.check(record);
            this.verdicts.set(record.id, verdict);
        }
        return verdict;
    }
    async check(record) {
        const p = record.payload;
        if (!p.run)
            return 'it names no workflow run (records written before rollgate checked provenance, or not by rollgate)';
        const writer = await this.runProblem(p.run.id);
        if (writer)
            return writer;
        const run = (await this.runs.run(p.run.id));
        const written = await this.writtenProblem(run, p.run.attempt, record.created_at);
        if (written)
            return written;
        if (p.commit !== undefined && p.commit !== record.sha)
            return `its payload commit ${p.commit.slice(0, 12)} is not the deployment's commit ${record.sha.slice(0, 12)}`;
        // The run that built the release: the artifact's, else the writer itself (a canary without an artifact).
        const builder = p.artifact?.run_id ?? (p.kind === 'rollback' ? undefined : p.run.id);
        if (!builder)
            return 'it is a rollback record without the run that built its artifact';
        if (builder !== p.run.id) {
            const built = await this.runProblem(builder);
            if (built)
                return `its artifact: ${built}`;
        }
        const builtSha = await this.runSha(builder);
        if (builtSha !== record.sha)
            return `run ${builder} built ${builtSha.slice(0, 12)}, not the deployment's commit ${record.sha.slice(0, 12)}`;
        if (p.tag !== undefined) {
            const tagged = await this.tagCommit(p.tag);
            if (tagged !== record.sha)
                return `tag ${p.tag} ${tagged ? `points at ${tagged.slice(0, 12)}` : 'does not exist'}, not at the deployment's commit ${record.sha.slice(0, 12)}`;
        }
        return this.artifactProblem(record, builder);
    }
    async artifactProblem(record, builder) {
        const a = record.payload.artifact;
        if (!a)
            return undefined;
        if (a.id !== undefined) {
            try {
                const { data } = await this.gh.rest.actions.getArtifact({ ...this.repo, artifact_id: a.id });
                if (String(data.workflow_run?.id ?? '') !== builder)
                    return `artifact ${a.id} was uploaded by run ${data.workflow_run?.id ?? 'unknown'}, not by run ${builder}`;
                if (data.name !== a.name)
                    return `artifact ${a.id} is named ${data.name}, not ${a.name}`;
            }
            catch (error) {
                // Expired and deleted artifacts are gone (404/410): the release asset, if any, still counts.
                const status = error.status;
                if (status !== 404 && status !== 410)
                    throw error;
                if (!a.release_tag)
                    return `artifact ${a.id} no longer exists`;
            }
        }
        if (a.release_tag !== undefined) {
            const tagged = await this.tagCommit(a.release_tag);
            if (tagged !== record.sha)
                return `release ${a.release_tag} is not on the deployment's commit ${record.sha.slice(0, 12)}`;
            try {
                const { data } = await this.gh.rest.repos.getReleaseByTag({ ...this.repo, tag: a.release_tag });
                const asset = data.assets.find((x) => x.name === (a.asset ?? `${a.name}.tar.gz`));
                const digest = asset?.digest;
                if (asset && digest && digest !== a.digest)
                    return `release ${a.release_tag} asset ${asset.name} has digest ${digest}, not the recorded ${a.digest}`;
            }
            catch (error) {
                if (error.status !== 404)
                    throw error;
            }
        }
        return undefined;
    }
}
/** A run's workflow path: `.github/workflows/x.yml`, also given as `owner/repo/.github/workflows/x.yml@ref`. */
function workflowPath(path, fullName) {
    let p = path.replace(/@[^@]*$/, '');
    if (p.toLowerCase().startsWith(`${fullName}/`))
        p = p.slice(fullName.length + 1);
    return p.includes('..') ? '' : p;
}
/** The `trusted-branches` input: branch names (empty: the repository's default branch). */
function trustedBranchesFrom(inputs) {
    const list = inputs.list('trusted-branches');
    for (const b of list)
        if (!/^(?!.*\.\.)(?!\/)[A-Za-z0-9._/-]{1,200}$/.test(b))
            throw new InputError('trusted-branches', 'branch names (letters, digits, ., _, / and -), one per line or comma-separated', b);
    return list;
}
/** The `trusted-workflows` input: workflow files of this repository (`.github/workflows/x.yml`) whose runs may write records. */
function trustedWorkflowsFrom(inputs) {
    const list = inputs.list('trusted-workflows');
    for (const w of list)
        if (!/^\.github\/workflows\/[A-Za-z0-9._-]{1,100}\.ya?ml$/.test(w))
            throw new InputError('trusted-workflows', 'workflow files of this repository (.github/workflows/<name>.yml)', w);
    return list;
}
/**
 * The records of an environment as an action sees them: every record traced to its runs, and
 * this run checked first, before anything is written, since a record it wrote could not be
 * trusted later (a run on another branch, a pull request's run).
 */
async function trustedRecords(options) {
    const provenance = new Provenance(options.gh, options.repo, options.trustedBranches, options.trustedWorkflows);
    if (!options.runId || !/^[1-9]\d{0,15}$/.test(options.runId))
        throw new ActionError('GITHUB_RUN_ID is not set: release records are traced to the workflow run that writes them, so this action runs only in a workflow run.');
    const branches = await provenance.branches();
    if (options.ref !== undefined && !branches.some((b) => options.ref === `refs/heads/${b}`))
        throw new ActionError(`This run cannot write or act on release records of ${options.environment}: it runs for ${options.ref || 'no ref'}, not for the branch ${branches.join(' or ')}. Records are trusted only from runs of this repository's workflows on ${branches.join(' or ')} (set trusted-branches to add branches; a tag is never a branch, whatever its name).`);
    const own = await provenance.runProblem(options.runId);
    if (own) {
        throw new ActionError(`This run cannot write or act on release records of ${options.environment}: ${own}. Records are trusted only from runs of this repository's workflows on ${(await provenance.branches()).join(' or ')} (set trusted-branches to add branches).`);
    }
    return new ReleaseRecords(options.gh, options.repo, options.environment, options.logger, provenance, options.logUrl);
}

;// CONCATENATED MODULE: ./packages/github/src/index.ts







/***/ })

};
