import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './lib/manifest.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('dist/', () => {
  it('is exactly what `npm run bundle` builds from the sources', () => {
    const out = mkdtempSync(join(tmpdir(), 'bundle-'));
    try {
      execFileSync('node', ['scripts/bundle.mjs', '--out', out], { cwd: ROOT, stdio: 'pipe' });
      const fresh = files(out)
        .map((f) => relative(out, f))
        .sort();
      const committed = files(join(ROOT, 'dist'))
        .map((f) => relative(join(ROOT, 'dist'), f))
        .sort();
      expect(committed).toEqual(fresh);
      const differing = fresh.filter((f) => !readFileSync(join(out, f)).equals(readFileSync(join(ROOT, 'dist', f))));
      expect(differing).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);

  it('loads every lazy chunk with the modules its bundle asks of it (no chunk overwritten by another compilation)', () => {
    const bundles = files(join(ROOT, 'dist')).filter(
      (f) => /(?:^|\/)index\.js$/.test(f) && !/\/\d+\.index\.js$/.test(f),
    );
    let asked = 0;
    for (const bundle of bundles) {
      const dir = join(bundle, '..');
      const text = readFileSync(bundle, 'utf8');
      // `__nccwpck_require__.e(955)...bind(__nccwpck_require__, 41955)`: chunk 955 must define module 41955.
      for (const m of text.matchAll(/\.then\(__nccwpck_require__\.bind\(__nccwpck_require__, (\d+)\)\)/g)) {
        asked++;
        // In a chunk of the bundle's own folder, or in the bundle itself (an import of what it already holds).
        const defined = [
          bundle,
          ...readdirSync(dir)
            .filter((f) => /^\d+\.index\.js$/.test(f))
            .map((f) => join(dir, f)),
        ].some((f) => readFileSync(f, 'utf8').includes(`\n/***/ ${m[1]}:\n`));
        expect({ bundle: relative(ROOT, bundle), module: m[1], defined }).toEqual({
          bundle: relative(ROOT, bundle),
          module: m[1],
          defined: true,
        });
      }
    }
    expect(asked).toBeGreaterThan(5);
  });
});
