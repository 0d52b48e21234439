#!/usr/bin/env node
// The layering, as a rule (ARCHITECTURE.md): actions import packages, never another action;
// packages never import actions; kit imports no workspace package and github only kit; only
// tests, scripts and benchmarks import testbed; every package a source file imports is declared
// in its package.json, and every declared dependency is imported; scripts, benchmarks and roads/
// never import test files; no import cycles between
// source files (type-only imports count: they are the same coupling). Packages other than kit
// (and the testbed) log through kit's Logger port and are given what the runner's environment
// says: they import no @actions/core and read no process.env (the actions read it once, with
// readRunnerEnv). Actions import no @actions/core either: kit's runner (commands.ts) is the one
// home of the runner's protocol. Prints file: message for each finding; exits 1 when there is one.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:import|require|require\.resolve)\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
const ALLOWED = { kit: [], github: ['kit'] };
/**
 * Folders inside a package: each rollout is a folder of its own and imports no other rollout;
 * the folders they share import no rollout (ARCHITECTURE.md, "The delivery package").
 */
const FOLDERS = {
  delivery: {
    rollouts: ['canary', 'phased', 'rollback'],
    shared: ['records', 'artifact', 'judging', 'fleet'],
  },
};
/** Packages that are the adapters to the runner (kit) or stand for it in tests (testbed). */
const RUNNER_ADAPTERS = ['kit', 'testbed'];

function sources(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]).filter(Boolean);
}

/** The npm package name of a bare specifier (`@scope/name/sub` -> `@scope/name`), or undefined for node: and relative. */
function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Why an import from `file` to `target` (both in `unit`) breaks the package's folder rule, or undefined. */
function folderRule(unit, file, target) {
  const rule = unit.kind === 'package' ? FOLDERS[unit.name] : undefined;
  if (!rule) return undefined;
  const folderOf = (path) => relative(join(unit.dir, 'src'), path).split('/')[0];
  const from = folderOf(file);
  const to = folderOf(target);
  if (from === to || !rule.rollouts.includes(to)) return undefined;
  if (rule.rollouts.includes(from))
    return `the ${from} rollout imports the ${to} rollout (share through ${rule.shared.join(', ')})`;
  if (rule.shared.includes(from)) return `${from}/ is shared by the rollouts and imports the ${to} rollout`;
  if (!file.endsWith('/src/index.ts')) return `${from} imports the ${to} rollout (only index.ts gathers them)`;
  return undefined;
}

/**
 * Scripts, benchmarks and the roads they share with the tests (roads/) never import a file
 * under test/: what both use lives in roads/ or a package.
 */
function toolsImportingTests(base) {
  const findings = [];
  for (const folder of ['scripts', 'bench', 'roads', 'rehearse'])
    for (const file of sources(join(base, folder)))
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(base, resolve(dirname(file), spec));
        if (target === 'test' || target.startsWith('test/'))
          findings.push({
            file: relative(base, file),
            message: `imports ${spec}, a test file (${folder}/ may not; share it through roads/)`,
          });
      }
  return findings;
}

export function checkLayers(base = root) {
  const findings = [];
  const units = [
    ...readdirSync(join(base, 'packages')).map((n) => ({ kind: 'package', name: n, dir: join(base, 'packages', n) })),
    ...readdirSync(join(base, 'actions')).map((n) => ({ kind: 'action', name: n, dir: join(base, 'actions', n) })),
  ].filter((u) => existsSync(join(u.dir, 'package.json')));
  const graph = new Map();
  for (const unit of units) {
    const manifest = JSON.parse(readFileSync(join(unit.dir, 'package.json'), 'utf8'));
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
    const used = new Set();
    for (const file of sources(join(unit.dir, 'src'))) {
      const rel = relative(base, file);
      const edges = [];
      if (
        unit.kind === 'package' &&
        !RUNNER_ADAPTERS.includes(unit.name) &&
        /\bprocess\.env\b/.test(readFileSync(file, 'utf8'))
      )
        findings.push({
          file: rel,
          message: 'reads process.env (the action reads the environment once, readRunnerEnv, and passes values down)',
        });
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
          if (!target.startsWith(unit.dir + '/'))
            findings.push({
              file: rel,
              message: `imports ${spec}, outside its own ${unit.kind} (use the package name)`,
            });
          const folderProblem = folderRule(unit, file, target);
          if (folderProblem) findings.push({ file: rel, message: folderProblem });
          if (relative(base, target).startsWith('actions/') && unit.kind === 'package')
            findings.push({ file: rel, message: `a package imports an action (${spec})` });
          edges.push(target);
          continue;
        }
        const pkg = packageOf(spec);
        if (!pkg) continue;
        used.add(pkg);
        if (pkg === '@actions/core' && unit.kind === 'package' && !RUNNER_ADAPTERS.includes(unit.name))
          findings.push({ file: rel, message: "imports @actions/core (packages log through kit's Logger port)" });
        if (pkg === '@actions/core' && unit.kind === 'action')
          findings.push({
            file: rel,
            message: "imports @actions/core (an action talks to the runner through kit's runner)",
          });
        if (!declared.has(pkg))
          findings.push({
            file: rel,
            message: `imports ${pkg}, which ${relative(base, unit.dir)}/package.json does not declare`,
          });
        if (pkg.startsWith('@rollgate/')) {
          const target = pkg.slice('@rollgate/'.length);
          if (target === 'testbed' && unit.name !== 'testbed')
            findings.push({ file: rel, message: 'imports @rollgate/testbed (only tests, scripts and benchmarks may)' });
          if (unit.kind === 'package' && ALLOWED[unit.name] && !ALLOWED[unit.name].includes(target))
            findings.push({
              file: rel,
              message: `${unit.name} may import ${ALLOWED[unit.name].map((x) => `@rollgate/${x}`).join(', ') || 'no workspace package'}, not @rollgate/${target}`,
            });
        }
      }
      graph.set(file, edges);
    }
    // A dependency the package's own tests import counts as used (not as one its sources need).
    for (const file of sources(join(unit.dir, 'test')))
      for (const spec of importsOf(file)) if (packageOf(spec)) used.add(packageOf(spec));
    for (const dep of declared)
      if (!used.has(dep))
        findings.push({
          file: `${relative(base, unit.dir)}/package.json`,
          message: `declares ${dep}, which no source file imports`,
        });
  }
  findings.push(...toolsImportingTests(base));
  // Cycles between source files: a depth-first search reporting each cycle once.
  const state = new Map();
  const stack = [];
  const seen = new Set();
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).map((f) => relative(base, f));
        const key = [...cycle].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({ file: cycle[0], message: `import cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return findings;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const findings = checkLayers();
  for (const f of findings) console.log(`${f.file}: ${f.message}`);
  console.log(`layers: ${findings.length} finding(s)`);
  process.exit(findings.length ? 1 : 0);
}
