#!/usr/bin/env node
// Bundles every action with ncc: actions/<name>/src/main.ts -> <out>/<name>/index.js,
// and src/post.ts -> post.js where the action has a post step.
// Usage: node scripts/bundle.mjs [--out DIR] [name...]
import ncc from '@vercel/ncc';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const outIdx = argv.indexOf('--out');
const out = outIdx >= 0 ? resolve(argv[outIdx + 1]) : join(root, 'dist');
const only = argv.filter((a, i) => i !== outIdx && i !== outIdx + 1);

const actions = (await readdir(join(root, 'actions'), { withFileTypes: true }))
  .filter((d) => d.isDirectory() && existsSync(join(root, 'actions', d.name, 'action.yml')))
  .map((d) => d.name)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

await mkdir(out, { recursive: true });
// Node must read the bundles as ES modules wherever the repository is checked out.
await writeFile(join(out, 'package.json'), '{\n  "type": "module"\n}\n');

for (const name of actions) {
  const dir = join(out, name);
  await rm(dir, { recursive: true, force: true });
  for (const [entry, file] of [
    ['main.ts', 'index.js'],
    ['post.ts', 'post.js'],
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
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, file), code);
    for (const [asset, { source }] of Object.entries(assets ?? {})) {
      const target = join(dir, asset);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, source);
    }
  }
  process.stdout.write(`bundled ${name}\n`);
}
