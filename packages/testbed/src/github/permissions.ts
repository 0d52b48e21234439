/**
 * The workflow token's permissions, as GitHub enforces them on the REST API.
 * - A job's token carries the scopes its `permissions:` grants (the job's, else the workflow's,
 *   else the repository default, "restricted": contents and packages read); `write` implies
 *   `read`, and `metadata: read` is always granted.
 *   https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token
 * - A reusable workflow's jobs get at most what the calling job granted ("permissions can only
 *   be maintained or reduced").
 *   https://docs.github.com/en/actions/sharing-automations/reusing-workflows#access-and-permissions-for-nested-workflows
 * - An endpoint called without its scope answers 403 "Resource not accessible by integration".
 *   https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#resource-not-accessible
 * Which scope each endpoint needs comes from GitHub's docs data (data/github-permissions.json).
 * Entries whose permission no workflow token can hold (scope null, such as `workflows` beside
 * `contents: write` on refs and releases, needed only when workflow files change) are not
 * requirements here. In a public repository anyone may read: GET needs no scope there.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type Access = 'read' | 'write' | 'none';
export type Grants = Record<string, Access>;

interface Entry {
  method: string;
  path: string;
  scope: string | null;
  access: 'read' | 'write';
}

const SCOPES = [
  'actions',
  'artifact-metadata',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'models',
  'discussions',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
];

let table: Map<string, Entry[]> | undefined;

function load(): Map<string, Entry[]> {
  if (!table) {
    const file = resolve(import.meta.dirname, '..', '..', 'data', 'github-permissions.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { endpoints: Entry[] };
    table = new Map();
    for (const e of data.endpoints) {
      const key = `${e.method} ${e.path}`;
      table.set(key, [...(table.get(key) ?? []), e]);
    }
  }
  return table;
}

/** The scopes an operation needs (all of them), or undefined when GitHub's data does not list it. */
export function needs(method: string, template: string): { scope: string; access: 'read' | 'write' }[] | undefined {
  const entries = load().get(`${method} ${template}`);
  if (!entries) return undefined;
  return entries.filter((e) => e.scope !== null).map((e) => ({ scope: e.scope as string, access: e.access }));
}

/** `permissions:` of a workflow or job as grants (undefined when not set). */
export function parsePermissions(spec: unknown): Grants | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (spec === 'read-all' || spec === 'write-all')
    return Object.fromEntries(SCOPES.map((s) => [s, spec === 'read-all' ? 'read' : 'write'])) as Grants;
  if (typeof spec !== 'object')
    throw new Error(`permissions: ${JSON.stringify(spec)} is not read-all, write-all or a map`);
  const out: Grants = {};
  for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
    if (!SCOPES.includes(k)) throw new Error(`permissions: unknown scope ${k}`);
    if (v !== 'read' && v !== 'write' && v !== 'none')
      throw new Error(`permissions: ${k}: ${String(v)} is not read, write or none`);
    out[k] = v;
  }
  return out;
}

/** The repository default for a workflow that sets no permissions ("restricted"). */
export const DEFAULT_GRANTS: Grants = { contents: 'read', packages: 'read' };

const rank = (a: Access | undefined) => (a === 'write' ? 2 : a === 'read' ? 1 : 0);

/** What a called workflow's job may have: its own grants, capped by the calling job's. */
export function cap(grants: Grants, limit: Grants | undefined): Grants {
  if (!limit) return grants;
  return Object.fromEntries(
    Object.entries(grants).map(([k, v]) => [k, rank(v) <= rank(limit[k]) ? v : (limit[k] ?? 'none')]),
  ) as Grants;
}

/** The first scope `grants` lacks for the operation, or undefined when it may proceed. */
export function missing(grants: Grants, method: string, template: string, repoPrivate: boolean): string | undefined {
  const required = needs(method, template);
  if (!required) return undefined;
  for (const r of required) {
    if (r.scope === 'metadata') continue;
    if (!repoPrivate && method === 'GET' && r.access === 'read') continue;
    if (rank(grants[r.scope]) < rank(r.access)) return `${r.scope}: ${r.access}`;
  }
  return undefined;
}
