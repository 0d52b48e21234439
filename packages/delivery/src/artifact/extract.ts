/**
 * Unpacks a build archive (the reproducible ustar .tar.gz the build action writes) with no
 * trust in its contents: only regular files and folders, no links, devices or FIFOs, no
 * absolute paths or `..`, files written 0644 or 0755 whatever the header says (no setuid, no
 * owner from the archive, as tar would keep when run as root), and a cap on the total size.
 * The digest was checked before; this guards against what a digest cannot: an archive that
 * was built hostile in the first place.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import { ActionError } from '@rollgate/kit';

/** Largest archive fetched and largest total extracted, in bytes. */
export const MAX_ARCHIVE_BYTES = 2 * 1024 ** 3;
export const MAX_EXTRACTED_BYTES = 8 * 1024 ** 3;

const text = (b: Buffer, start: number, length: number) => {
  const field = b.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
};
const octal = (b: Buffer, start: number, length: number) => {
  const s = text(b, start, length).trim();
  if (!/^[0-7]*$/.test(s))
    throw new ActionError(`archive: a header field is not octal (${JSON.stringify(s.slice(0, 20))})`);
  return s ? Number.parseInt(s, 8) : 0;
};

/** The safe relative path of an entry, or an error naming it. */
function entryPath(name: string, root: string): string {
  const clean = name.replace(/\/+$/, '');
  if (
    !clean ||
    clean.startsWith('/') ||
    /(^|\/)\.\.(\/|$)/.test(clean) ||
    clean.includes('\0') ||
    /\p{Cc}/u.test(clean)
  ) {
    throw new ActionError(
      `archive: entry ${JSON.stringify(name.slice(0, 80))} is not a relative path inside the archive: refused`,
    );
  }
  const full = resolve(root, clean);
  if (full !== root && !full.startsWith(root + sep))
    throw new ActionError(`archive: entry ${JSON.stringify(name.slice(0, 80))} leaves the folder: refused`);
  return full;
}

export async function extractArchive(
  archive: string,
  into: string,
  maxBytes = MAX_EXTRACTED_BYTES,
): Promise<{ files: number; bytes: number }> {
  const size = (await stat(archive)).size;
  if (size > MAX_ARCHIVE_BYTES)
    throw new ActionError(`archive: ${size} bytes is more than the ${MAX_ARCHIVE_BYTES} allowed`);
  const root = resolve(into);
  await mkdir(root, { recursive: true });
  let pending: Buffer = Buffer.alloc(0);
  let file: { handle: Awaited<ReturnType<typeof open>>; left: number; pad: number } | undefined;
  let skip = 0;
  let files = 0;
  let bytes = 0;
  let ended = false;
  for await (const chunk of createReadStream(archive).pipe(createGunzip())) {
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    for (;;) {
      if (file) {
        const take = Math.min(file.left, pending.length);
        if (take) await file.handle.write(pending.subarray(0, take));
        pending = pending.subarray(take);
        file.left -= take;
        if (file.left > 0) break;
        await file.handle.close();
        skip = file.pad;
        file = undefined;
      }
      if (skip) {
        const take = Math.min(skip, pending.length);
        pending = pending.subarray(take);
        skip -= take;
        if (skip) break;
      }
      if (ended || pending.length < 512) break;
      const header = pending.subarray(0, 512);
      pending = pending.subarray(512);
      if (header.every((b) => b === 0)) {
        ended = true;
        break;
      }
      const type = String.fromCharCode(header[156] as number);
      const name = [text(header, 345, 155), text(header, 0, 100)].filter(Boolean).join('/');
      const length = octal(header, 124, 12);
      const mode = octal(header, 100, 8);
      const path = entryPath(name, root);
      if (type === '5') {
        await mkdir(path, { recursive: true, mode: 0o755 });
        continue;
      }
      if (type !== '0' && type !== '\0') {
        const what =
          {
            '1': 'a hard link',
            '2': 'a symbolic link',
            '3': 'a character device',
            '4': 'a block device',
            '6': 'a FIFO',
          }[type] ?? `an entry of type ${JSON.stringify(type)}`;
        throw new ActionError(
          `archive: ${JSON.stringify(name.slice(0, 80))} is ${what}: refused (a build archive holds regular files only)`,
        );
      }
      bytes += length;
      if (bytes > maxBytes) throw new ActionError(`archive: more than ${maxBytes} bytes once extracted: refused`);
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      const handle = await open(path, 'wx', mode & 0o111 ? 0o755 : 0o644);
      files++;
      file = { handle, left: length, pad: (512 - (length % 512)) % 512 };
    }
  }
  if (file) {
    await file.handle.close();
    throw new ActionError('archive: it ends inside a file: truncated');
  }
  return { files, bytes };
}

/**
 * A folder for one extracted release under the runner's temp folder; older ones beyond the
 * newest `keep` are removed (a release may still be served from the last ones).
 */
export async function releaseFolder(base: string, version: string, keep = 3): Promise<string> {
  const parent = join(base, 'rollgate-releases');
  await mkdir(parent, { recursive: true });
  const entries = await Promise.all(
    (await readdir(parent)).map(async (n) => ({ n, t: (await stat(join(parent, n))).mtimeMs })),
  );
  for (const old of entries.sort((a, b) => b.t - a.t).slice(keep - 1))
    await rm(join(parent, old.n), { recursive: true, force: true });
  const dir = join(parent, `${version}-${Date.now()}-${process.pid}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
