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
});
