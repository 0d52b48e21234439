#!/usr/bin/env node
// Writes the inputs/outputs tables of every actions/<name>/README.md from its action.yml,
// between the markers <!-- inputs --> ... <!-- /outputs -->. `--check` only reports drift.
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const cell = (s) =>
  String(s ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\n+/g, ' ');

export function renderTables(manifest) {
  const inputs = Object.entries(manifest.inputs ?? {}).map(
    ([id, i]) =>
      `| \`${id}\` | ${cell(i.description)} | ${i.required ? 'yes' : 'no'} | ${i.default === undefined || i.default === '' ? '' : `\`${cell(i.default)}\``} |`,
  );
  const outputs = Object.entries(manifest.outputs ?? {}).map(([id, o]) => `| \`${id}\` | ${cell(o.description)} |`);
  return [
    '<!-- inputs -->',
    '## Inputs',
    '',
    '| input | description | required | default |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '## Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
    '<!-- /outputs -->',
  ].join('\n');
}

let drift = [];
for (const name of readdirSync(join(root, 'actions')).sort()) {
  const yml = join(root, 'actions', name, 'action.yml');
  if (!existsSync(yml)) continue;
  const readme = join(root, 'actions', name, 'README.md');
  const manifest = parse(readFileSync(yml, 'utf8'));
  const tables = renderTables(manifest);
  const current = existsSync(readme)
    ? readFileSync(readme, 'utf8')
    : `# ${manifest.name}\n\n${manifest.description}\n\n<!-- inputs --><!-- /outputs -->\n`;
  const next = current.replace(/<!-- inputs -->[\s\S]*<!-- \/outputs -->/, tables);
  if (!next.includes(tables)) throw new Error(`${readme}: missing the <!-- inputs --> ... <!-- /outputs --> markers`);
  if (next !== current) {
    drift.push(readme);
    if (!check) writeFileSync(readme, next);
  }
}
if (check && drift.length) {
  console.error(`Out of date (run npm run docs): ${drift.join(', ')}`);
  process.exit(1);
}
