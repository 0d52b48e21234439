/**
 * Extraction trusts nothing in the archive: archives made by GNU tar with what a hostile
 * build could put in them are refused; a real build archive extracts without setuid bits.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArchive } from '@rollgate/build';
import { extractArchive } from '../src/index.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'extract-'));
const tar = (cwd: string, args: string[]) => execFileSync('tar', args, { cwd, stdio: 'pipe' });

describe('extractArchive', () => {
  it('extracts a real build archive, with modes 0644/0755 only', async () => {
    const src = scratch();
    writeFileSync(join(src, 'server.mjs'), 'console.log(1)\n');
    writeFileSync(join(src, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(src, 'run.sh'), 0o4755); // setuid in the source tree
    const archive = join(scratch(), 'a.tar.gz');
    await writeArchive(
      [
        { source: join(src, 'server.mjs'), path: 'server.mjs' },
        { source: join(src, 'run.sh'), path: 'bin/run.sh' },
      ],
      archive,
    );
    const out = join(scratch(), 'release');
    expect(await extractArchive(archive, out)).toEqual({ files: 2, bytes: 25 });
    expect(readFileSync(join(out, 'server.mjs'), 'utf8')).toBe('console.log(1)\n');
    expect(statSync(join(out, 'bin/run.sh')).mode & 0o7777).toBe(0o755);
  });

  it('GNU tar with a setuid file: extracted without the setuid bit', async () => {
    const src = scratch();
    writeFileSync(join(src, 'tool'), 'x');
    chmodSync(join(src, 'tool'), 0o4755);
    tar(src, ['-czf', 'a.tgz', 'tool']);
    const out = join(scratch(), 'r');
    await extractArchive(join(src, 'a.tgz'), out);
    expect(statSync(join(out, 'tool')).mode & 0o7777).toBe(0o755);
  });

  it.each([
    [
      'a symbolic link pointing out',
      (d: string) => (symlinkSync('/etc/passwd', join(d, 'passwd')), ['-czf', 'a.tgz', 'passwd']),
      /"passwd" is a symbolic link: refused/,
    ],
    [
      'a hard link',
      (d: string) => (
        writeFileSync(join(d, 'f'), 'x'),
        execFileSync('ln', [join(d, 'f'), join(d, 'g')]),
        ['-czf', 'a.tgz', 'f', 'g']
      ),
      /"g" is a hard link: refused/,
    ],
    [
      'a FIFO',
      (d: string) => (execFileSync('mkfifo', [join(d, 'p')]), ['-czf', 'a.tgz', 'p']),
      /"p" is a FIFO: refused/,
    ],
    [
      'a path with ..',
      (d: string) => (
        mkdirSync(join(d, 'x')),
        writeFileSync(join(d, 'evil'), 'x'),
        ['-czf', 'a.tgz', '-P', '--transform', 's,^,../../,', 'evil']
      ),
      /entry "..\/..\/evil" is not a relative path inside the archive: refused/,
    ],
    [
      'an absolute path',
      (d: string) => (writeFileSync(join(d, 'abs'), 'x'), ['-czf', 'a.tgz', '-P', '--transform', 's,^,/tmp/,', 'abs']),
      /entry "\/tmp\/abs" is not a relative path/,
    ],
  ])('refuses %s, and writes nothing outside', async (_what, make, message) => {
    const src = scratch();
    const args = make(src);
    tar(src, args);
    const out = join(scratch(), 'r');
    await expect(extractArchive(join(src, 'a.tgz'), out)).rejects.toThrow(message);
    expect(existsSync(join(out, '..', '..', 'evil'))).toBe(false);
  });

  it('stops past the size cap', async () => {
    const src = scratch();
    writeFileSync(join(src, 'big'), Buffer.alloc(100_000));
    tar(src, ['-czf', 'a.tgz', 'big']);
    await expect(extractArchive(join(src, 'a.tgz'), join(scratch(), 'r'), 50_000)).rejects.toThrow(
      /more than 50000 bytes once extracted: refused/,
    );
  });
});
