import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, tarHeader, writeArchive } from '../src/index.js';

function tree(): { dir: string; files: { source: string; path: string }[] } {
  const dir = mkdtempSync(join(tmpdir(), 'arch-'));
  const long = `${'deep/'.repeat(30)}file.txt`;
  const entries: Record<string, Buffer> = {
    'bin/app': Buffer.from('#!/bin/sh\necho hi\n'),
    'lib/data.bin': Buffer.alloc(70_000, 3),
    'empty.txt': Buffer.alloc(0),
    [long]: Buffer.from('deep'),
  };
  for (const [p, data] of Object.entries(entries)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), data);
  }
  chmodSync(join(dir, 'bin/app'), 0o755);
  return { dir, files: Object.keys(entries).map((p) => ({ source: join(dir, p), path: p })) };
}

describe('reproducible archive', () => {
  it('gives the same bytes for the same files, whatever the order or time', async () => {
    const { dir, files } = tree();
    const a = await writeArchive(files, join(dir, 'a.tar.gz'));
    await new Promise((r) => setTimeout(r, 1100));
    const b = await writeArchive([...files].reverse(), join(dir, 'b.tar.gz'));
    expect(a.sha256).toBe(b.sha256);
    expect(readFileSync(join(dir, 'a.tar.gz')).equals(readFileSync(join(dir, 'b.tar.gz')))).toBe(true);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, 'a.tar.gz')))
        .digest('hex'),
    ).toBe(a.sha256);
  });

  it('is a tar.gz that GNU tar extracts, with modes and per-file digests', async () => {
    const { dir, files } = tree();
    const r = await writeArchive(files, join(dir, 'out.tar.gz'));
    const listing = execFileSync('tar', ['-tvzf', join(dir, 'out.tar.gz')], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x root\/root\s+18 1970-01-01 00:00 bin\/app$/m);
    const dest = mkdtempSync(join(tmpdir(), 'x-'));
    execFileSync('tar', ['-xzf', join(dir, 'out.tar.gz'), '-C', dest]);
    for (const f of r.files) {
      expect(
        createHash('sha256')
          .update(readFileSync(join(dest, f.path)))
          .digest('hex'),
      ).toBe(f.sha256);
    }
    expect(r.files.map((f) => f.path)).toEqual([...files.map((f) => f.path)].sort());
  });

  it('refuses a path that does not fit a ustar header', () => {
    expect(() => tarHeader(`${'x'.repeat(120)}/${'y'.repeat(120)}`, 0, 0o644)).toThrow(/path too long/);
  });

  it('rejects a manifest that is not one', () => {
    expect(() => parseManifest('{"schema":"other"}', 'm.json')).toThrow('m.json is not a rollgate build manifest');
    expect(() => parseManifest('nope', 'm.json')).toThrow(/m.json is not JSON/);
  });
});
