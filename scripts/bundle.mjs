#!/usr/bin/env node
// Bundles every action with ncc: actions/<name>/src/main.ts -> <out>/<name>/index.js,
// and src/post.ts -> post/index.js where the action has a post step (a folder of its own: each
// compilation numbers its own lazy chunks, and two in one folder overwrite each other's). Each action is bundled in a
// process of its own: ncc keeps what it compiled, and six actions in one process run out of heap.
// Usage: node scripts/bundle.mjs [--out DIR] [name...]
import ncc from '@vercel/ncc';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const outIdx = argv.indexOf('--out');
const out = outIdx >= 0 ? resolve(argv[outIdx + 1]) : join(root, 'dist');
const only = outIdx >= 0 ? argv.filter((a, i) => i !== outIdx && i !== outIdx + 1) : argv;

const actions = (await readdir(join(root, 'actions'), { withFileTypes: true }))
  .filter((d) => d.isDirectory() && existsSync(join(root, 'actions', d.name, 'action.yml')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

await mkdir(out, { recursive: true });
// Node must read the bundles as ES modules wherever the repository is checked out.
await writeFile(join(out, 'package.json'), '{\n  "type": "module"\n}\n');

if (actions.length > 1) {
  for (const name of actions) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--out', out, name], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  process.exit(0);
}

for (const name of actions) {
  const dir = join(out, name);
  await rm(dir, { recursive: true, force: true });
  for (const [entry, file] of [
    ['main.ts', 'index.js'],
    ['post.ts', 'post/index.js'],
  ]) {
    const src = join(root, 'actions', name, 'src', entry);
    if (!existsSync(src)) continue;
    const { code, assets } = await ncc(src, {
      minify: false,
      sourceMap: false,
      license: 'licenses.txt',
      quiet: true,
      target: 'es2022',
      cache: false,
    });
    const where = dirname(join(dir, file));
    await mkdir(where, { recursive: true });
    await writeFile(join(dir, file), code);
    for (const [asset, { source }] of Object.entries(assets ?? {})) {
      const target = join(where, asset);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, source);
    }
  }
  process.stdout.write(`bundled ${name}\n`);
}
