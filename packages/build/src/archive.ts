/**
 * A reproducible .tar.gz: files in sorted order, ustar headers with fixed owner, times and
 * modes (0644, or 0755 for executables), gzip without a timestamp. The same files always
 * give the same bytes, so the archive digest identifies the build. SHA-256 of every file is
 * computed while it is streamed into the archive.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

export interface ArchivedFile {
  /** Path inside the archive (forward slashes). */
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** Splits a path into ustar name (100) and prefix (155) fields. */
function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a tar archive (max 255 bytes, split at a slash): ${path}`);
}

export function tarHeader(path: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512, 0);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii'); // mtime: fixed for reproducibility
  h.write('        ', 148, 8, 'ascii'); // checksum placeholder
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/**
 * Writes `files` (absolute path -> path in archive) to `out` and returns each file's digest
 * plus the archive's own SHA-256.
 */
export async function writeArchive(
  files: { source: string; path: string }[],
  out: string,
): Promise<{ files: ArchivedFile[]; sha256: string; size: number }> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const archived: ArchivedFile[] = [];
  async function* entries(): AsyncGenerator<Buffer> {
    for (const f of sorted) {
      const st = await stat(f.source);
      const mode = st.mode & 0o111 ? 0o755 : 0o644;
      yield tarHeader(f.path, st.size, mode);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of createReadStream(f.source)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (size !== st.size) throw new Error(`${f.path} changed while it was archived`);
      const pad = (512 - (size % 512)) % 512;
      if (pad) yield Buffer.alloc(pad, 0);
      archived.push({ path: f.path, size, sha256: hash.digest('hex'), mode });
    }
    yield Buffer.alloc(1024, 0);
  }
  const digest = createHash('sha256');
  let size = 0;
  const gzip = createGzip({ level: 9 });
  gzip.on('data', (c: Buffer) => {
    digest.update(c);
    size += c.length;
  });
  await pipeline(Readable.from(entries()), gzip, createWriteStream(out));
  return { files: archived, sha256: digest.digest('hex'), size };
}
