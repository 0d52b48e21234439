// The reference of the reusable workflows (pipeline.yml, promote.yml, rollback.yml, carry.yml), rendered
// from their YAML for the README (between <!-- workflows --> and <!-- /workflows -->): each
// input with the triggers that take it, whether it is required, its default and the repository
// or environment variable (`vars.X`) it falls back to; the vars read with no input; outputs and
// secrets. scripts/docs.mjs writes it; test/actions.test.ts checks it is current.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const WORKFLOWS = ['pipeline.yml', 'promote.yml', 'rollback.yml', 'carry.yml'];

const cell = (s) =>
  String(s ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\n+/g, ' ');

/** input name -> the vars it falls back to (`inputs.x || vars.X`), and every var the file reads. */
function varsOf(text) {
  const fallback = new Map();
  for (const m of text.matchAll(/inputs\.([\w-]+)\s*\|\|\s*vars\.([A-Z0-9_]+)/g)) {
    const list = fallback.get(m[1]) ?? new Set();
    list.add(m[2]);
    fallback.set(m[1], list);
  }
  const all = new Set([...text.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1]));
  return { fallback, all };
}

export function renderWorkflow(file, text) {
  const doc = parse(text);
  const on = doc.on ?? {};
  const call = on.workflow_call ?? {};
  const dispatch = on.workflow_dispatch ?? {};
  const { fallback, all } = varsOf(text);
  const names = [...new Set([...Object.keys(call.inputs ?? {}), ...Object.keys(dispatch.inputs ?? {})])];
  const rows = names.map((name) => {
    const i = call.inputs?.[name] ?? dispatch.inputs?.[name];
    const by = [call.inputs?.[name] && 'call', dispatch.inputs?.[name] && 'dispatch'].filter(Boolean).join(', ');
    const vars = [...(fallback.get(name) ?? [])].map((v) => `\`vars.${v}\``).join(', ');
    const def = i.default === undefined || i.default === '' ? '' : `\`${cell(i.default)}\``;
    return `| \`${name}\` | ${by} | ${cell(i.description)} | ${i.required ? 'yes' : 'no'} | ${def} | ${vars} |`;
  });
  const tied = new Set([...fallback.values()].flatMap((s) => [...s]));
  const only = [...all].filter((v) => !tied.has(v)).sort();
  const outputs = Object.entries(call.outputs ?? {}).map(([id, o]) => `| \`${id}\` | ${cell(o.description)} |`);
  const secrets = Object.entries(call.secrets ?? {}).map(
    ([id, s]) => `| \`${id}\` | ${cell(s.description)} | ${s.required ? 'yes' : 'no'} |`,
  );
  return [
    `### ${file}`,
    '',
    cell(doc.name),
    '',
    '| input | trigger | description | required | default | falls back to |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(only.length ? [`Read from vars only: ${only.map((v) => `\`${v}\``).join(', ')}.`, ''] : []),
    ...(outputs.length ? ['| output | description |', '| --- | --- |', ...outputs, ''] : []),
    ...(secrets.length ? ['| secret | description | required |', '| --- | --- | --- |', ...secrets, ''] : []),
  ].join('\n');
}

export function renderWorkflows(root) {
  return [
    '<!-- workflows -->',
    '## Reference: the reusable workflows',
    '',
    'Generated from the YAML by `npm run docs`. An input left empty falls back to the variable named',
    '(a repository or environment variable, `vars.X`), then to its default.',
    '',
    ...WORKFLOWS.map((f) => renderWorkflow(f, readFileSync(join(root, '.github', 'workflows', f), 'utf8'))),
    '<!-- /workflows -->',
  ].join('\n');
}
