/**
 * Checks every emulator response against GitHub's published OpenAPI description
 * (@octokit/openapi, api.github.com), so the emulator cannot drift from the real API.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
interface Spec {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  components: Json & { responses: Record<string, Json> };
}

let spec: Spec | undefined;
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function load(): { spec: Spec; ajv: Ajv } {
  if (!spec || !ajv) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;
    ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
    const addFormats =
      (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    // strict: false lets OpenAPI-only keywords (example, x-github...) pass; Ajv knows `nullable`.
    ajv.addSchema({ components: toJsonSchema(spec.components) }, 'gh');
  }
  return { spec, ajv };
}

/**
 * OpenAPI 3.0 schema -> JSON Schema for Ajv: `#/components/...` refs point at the components
 * document registered as `gh`, and `nullable: true` without a `type` (beside a $ref or allOf)
 * becomes `anyOf: [schema, null]`.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `gh${v}`;
    else if (k === 'examples' || k === 'example') continue;
    else out[k] = toJsonSchema(v);
  }
  // A nullable enum (a job's conclusion while it runs) takes null too: Ajv's nullable widens the type, not the enum.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export interface Violation {
  method: string;
  path: string;
  status: number;
  errors: string;
}

/**
 * Validates a JSON response for the operation `method` + OpenAPI path template.
 * Returns undefined when it conforms, or a description of what does not.
 */
export function checkResponse(method: string, template: string, status: number, body: unknown): string | undefined {
  const { spec, ajv } = load();
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) return `no operation ${method} ${template} in GitHub's OpenAPI description`;
  let response = op.responses[String(status)] as Json | undefined;
  // GitHub answers 404 (a basic error) for a resource that does not exist or that the token
  // cannot see, on every operation, documented or not: "404 Not Found for an existing resource",
  // https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource
  if (!response && status === 404) response = { $ref: '#/components/responses/not_found' };
  // And 403 "Resource not accessible by integration" when the token lacks the operation's scope:
  // https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#resource-not-accessible
  if (!response && status === 403) response = { $ref: '#/components/responses/forbidden' };
  if (!response)
    return `status ${status} is not a documented response of ${method} ${template} (documented: ${Object.keys(op.responses).join(', ')})`;
  const ref = response.$ref as string | undefined;
  if (ref) response = spec.components.responses[ref.split('/').at(-1) as string];
  const content = response?.content as Record<string, { schema?: unknown }> | undefined;
  const schema = content?.['application/json']?.schema;
  if (!schema)
    return body === undefined || body === '' ? undefined : `${method} ${template} ${status} documents no JSON body`;
  const key = `${method} ${template} ${status}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    // Resolve `$ref`s against the components through a schema that embeds them.
    validate = ajv.compile(toJsonSchema(schema) as object);
    compiled.set(key, validate);
  }
  if (validate && !validate(body)) {
    return (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
      .join('; ');
  }
  return undefined;
}
