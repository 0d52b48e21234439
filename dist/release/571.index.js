export const id = 571;
export const ids = [571];
export const modules = {

/***/ 571:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createGitHub: () => (/* reexport */ createGitHub),
  publishRelease: () => (/* reexport */ publishRelease)
});

// UNUSED EXPORTS: DO_NOT_RETRY, ReleaseRecords, attachToRelease, findRelease, payloadProblem, statusText

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 10 modules
var core = __webpack_require__(7264);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 21 modules
var github = __webpack_require__(1758);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
;// CONCATENATED MODULE: ./packages/github/src/client.ts
/**
 * The one Octokit factory of the suite: retries 5xx and network errors, waits out
 * rate limits (403/429 with retry-after), never retries 422 or other client errors,
 * and masks the token before anything can print it.
 */




/** Client errors that must not be retried; 403/429 rate limits go to the throttling plugin. */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 429, 451];
function createGitHub(options) {
    const { token, retries = 3, rateLimitRetries = 3, retryUnitMs = 1000 } = options;
    if (!token)
        throw new Error('A GitHub token is required: set the github-token input (defaults to github.token).');
    core/* setSecret */.Pq(token);
    const baseUrl = options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
    const limited = (kind) => (retryAfter, opts, _o, count) => {
        const again = count < rateLimitRetries;
        core/* warning */.$e(`GitHub ${kind} rate limit on ${opts.method} ${opts.url}; ${again ? `retrying after ${retryAfter}s` : 'giving up'}.`);
        return again;
    };
    return (0,github/* getOctokit */.Q)(token, {
        baseUrl,
        retry: { doNotRetry: DO_NOT_RETRY, retries, retryAfterBaseValue: retryUnitMs },
        throttle: {
            onRateLimit: limited('primary'),
            onSecondaryRateLimit: limited('secondary'),
            retryAfterBaseValue: retryUnitMs,
        },
    }, dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
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
        return { id: release.id, url: release.html_url, created: false, assets: release.assets.map((a) => ({ name: a.name, id: a.id })) };
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
            return { id: existing.id, url: existing.html_url, created: false, assets: existing.assets.map((a) => ({ name: a.name, id: a.id })) };
        }
    }
    const uploaded = await uploadMissing(gh, repo, release, spec.assets);
    if (release.draft) {
        release = (await gh.rest.repos.updateRelease({ ...repo, release_id: release.id, draft: false, body: spec.body, name: spec.name })).data;
    }
    return { id: release.id, url: release.html_url, created: true, assets: [...uploaded].map(([name, id]) => ({ name, id })) };
}
/** Attaches files to the release with this tag (a draft counts); files already attached are kept. */
async function attachToRelease(gh, repo, tag, files) {
    const release = await findRelease(gh, repo, tag, true);
    if (!release) {
        const { ActionError } = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 9699));
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

// EXTERNAL MODULE: ./packages/kit/src/index.ts + 7 modules
var src = __webpack_require__(9699);
;// CONCATENATED MODULE: ./packages/github/src/deployments.ts
/**
 * The release record: GitHub Deployments. One deployment per version and environment; its
 * payload holds the facts (version, tag, commit, artifact and digest), its statuses are the
 * history (every canary step, the promotion or the abort, a rollback). No other state store.
 */

/**
 * Why a payload cannot have been written by this suite (a value fails the validator every
 * action applies to what it writes), or undefined when it passes. Such a record is never
 * acted on: history() leaves it out and says so.
 */
function payloadProblem(payload) {
    if (!payload || typeof payload !== 'object')
        return 'no payload object';
    const p = payload;
    const checks = [
        ['version', p.version, 'version', true],
        ['version', p.stable, 'stable', false],
        ['address', p.address, 'address', false],
        ['address', p.stable_address, 'stable_address', false],
        ['version', p.tag, 'tag', false],
    ];
    const artifact = p.artifact;
    if (artifact !== undefined) {
        if (!artifact || typeof artifact !== 'object')
            return 'artifact is not an object';
        checks.push(['name', artifact.name, 'artifact.name', true], ['digest', artifact.digest, 'artifact.digest', false], ['name', artifact.asset, 'artifact.asset', false], ['version', artifact.release_tag, 'artifact.release_tag', false]);
        if (artifact.run_id !== undefined && !/^\d{1,20}$/.test(String(artifact.run_id)))
            return 'artifact.run_id is not a run id';
    }
    const run = p.run;
    if (run !== undefined && (!run || !/^\d{1,20}$/.test(String(run.id)) || !Number.isInteger(run.attempt)))
        return 'run is not a workflow run id and attempt';
    const rollout = p.rollout;
    if (rollout !== undefined) {
        const steps = rollout?.steps;
        if (!Array.isArray(steps) || !steps.every((s) => Number.isInteger(s) && s >= 1 && s <= 100))
            return 'rollout.steps is not a list of percentages';
        if (!Number.isInteger(rollout?.interval_ms) || rollout.interval_ms < 1000 || rollout.interval_ms > 86_400_000)
            return 'rollout.interval_ms is out of range';
    }
    for (const [kind, value, field, required] of checks) {
        if (value === undefined && !required)
            continue;
        if (!isValid(kind, value))
            return `${field} ${JSON.stringify(value)?.slice(0, 40) ?? 'missing'} is not ${VALUE_RULES[kind].description}`;
    }
    return undefined;
}
/** GitHub limits a status description to 140 characters. */
function statusText(text) {
    const s = redact(text);
    return s.length <= 140 ? s : `${s.slice(0, 139)}…`;
}
class ReleaseRecords {
    gh;
    repo;
    environment;
    warn;
    constructor(gh, repo, environment, 
    /** Where to say that a record is ignored (core.warning in an action). */
    warn) {
        this.gh = gh;
        this.repo = repo;
        this.environment = environment;
        this.warn = warn;
    }
    async create(ref, payload, description, options = {}) {
        const res = await this.gh.rest.repos.createDeployment({
            ...this.repo,
            ref,
            environment: this.environment,
            task: 'deploy',
            auto_merge: false,
            required_contexts: [],
            payload: payload,
            description: statusText(description),
            ...(options.transient !== undefined ? { transient_environment: options.transient } : {}),
            ...(options.production !== undefined ? { production_environment: options.production } : {}),
        });
        if (res.status !== 201)
            throw new Error(`GitHub did not create the deployment: ${JSON.stringify(res.data).slice(0, 200)}`);
        return res.data.id;
    }
    async status(id, state, description, extra = {}) {
        await this.gh.rest.repos.createDeploymentStatus({
            ...this.repo,
            deployment_id: id,
            state,
            description: statusText(description),
            environment: this.environment,
            auto_inactive: false,
            ...(extra.logUrl ? { log_url: extra.logUrl } : {}),
            ...(extra.environmentUrl ? { environment_url: extra.environmentUrl } : {}),
        });
    }
    /** Records left out of the last history() because their payload fails the validator: id and why. */
    refused = [];
    /**
     * Recent deployments of the environment, newest first, with their state. A record whose
     * payload this suite could not have written is left out (and listed in `refused`).
     */
    async history(limit = 30) {
        const list = await this.gh.rest.repos.listDeployments({ ...this.repo, environment: this.environment, per_page: Math.min(limit, 100) });
        const out = [];
        this.refused = [];
        for (const d of list.data.slice(0, limit)) {
            const raw = typeof d.payload === 'string' ? safeJson(d.payload) : d.payload;
            const problem = payloadProblem(raw);
            if (problem) {
                this.refused.push({ id: d.id, why: problem });
                this.warn?.(`Deployment ${d.id} in ${this.environment} is not trusted and is ignored: ${problem}.`);
                continue;
            }
            const statuses = await this.gh.rest.repos.listDeploymentStatuses({ ...this.repo, deployment_id: d.id, per_page: 100 });
            const latest = statuses.data[0];
            const payload = raw;
            out.push({
                id: d.id,
                sha: d.sha,
                ref: d.ref,
                created_at: d.created_at,
                payload,
                state: latest?.state ?? 'none',
                // Free text anyone with deployments: write can set: no line breaks or control characters
                // reach a log line (where a newline could start a workflow command).
                description: (latest?.description ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '),
                everSucceeded: statuses.data.some((s) => s.state === 'success'),
            });
        }
        return out;
    }
    /** Marks every other deployment whose latest state is success as inactive. */
    async retireOthers(keep, history) {
        const records = history ?? (await this.history());
        const retired = [];
        for (const r of records) {
            if (r.id === keep || r.state !== 'success')
                continue;
            await this.status(r.id, 'inactive', `replaced by deployment ${keep}`);
            retired.push(r.id);
        }
        return retired;
    }
}
function safeJson(s) {
    try {
        return JSON.parse(s);
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./packages/github/src/index.ts





/***/ })

};
