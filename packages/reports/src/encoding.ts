/**
 * The text of a report file, decoded as it streams. The encoding comes from a byte order
 * mark (UTF-8, UTF-16 LE/BE), from the NUL pattern of UTF-16 without one, or from the XML
 * declaration (`encoding="ISO-8859-1"`); UTF-8 otherwise. An encoding that cannot be read is
 * one clear error naming the file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TextDecoder } from 'node:util';
import { ReportError } from './model.js';

export interface Sniffed {
  encoding: string;
  /** Bytes of byte order mark to drop. */
  skip: number;
}

/** Decides the encoding from the first bytes of a file. */
export function sniffEncoding(head: Buffer, display: string): Sniffed {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  if (head.length >= 2 && head[0] !== 0 && head[1] === 0) return { encoding: 'utf-16le', skip: 0 };
  if (head.length >= 2 && head[0] === 0 && head[1] !== 0) return { encoding: 'utf-16be', skip: 0 };
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(
    head.subarray(0, 512).toString('latin1'),
  )?.[1];
  if (!declared) return { encoding: 'utf-8', skip: 0 };
  const label = declared.toLowerCase();
  if (label.startsWith('utf-16') || label === 'ucs-2') {
    throw new ReportError(
      display,
      `declares encoding="${declared}" but is not UTF-16 (no byte order mark, no NUL bytes): fix the producer's encoding setting`,
    );
  }
  try {
    return { encoding: new TextDecoder(label).encoding, skip: 0 };
  } catch {
    throw new ReportError(
      display,
      `declares encoding="${declared}", which cannot be read here (UTF-8, UTF-16 and the ISO-8859/Windows code pages can)`,
    );
  }
}

/** Bytes read at a time: a string of this size stays out of V8's large-object space (over 128 KiB). */
const CHUNK = 1 << 15;

/**
 * The file's text in chunks, decoded. Read synchronously into one reused buffer: an
 * asynchronous stream costs an event-loop turn per chunk, a third of the parse time on a
 * 100 MB report (the caller yields to the event loop every few megabytes instead).
 */
export function* decodedChunks(file: string, display: string): Generator<string> {
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(CHUNK);
  let decoder: { decode(bytes?: Buffer, options?: { stream: boolean }): string } | undefined;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      let bytes = chunk.subarray(0, n);
      if (!decoder) {
        const sniffed = sniffEncoding(bytes, display);
        // Node's StringDecoder is several times faster than TextDecoder for what it knows.
        const fast = ({ 'utf-8': 'utf8', 'utf-16le': 'utf16le' } as Record<string, BufferEncoding>)[sniffed.encoding];
        if (fast) {
          const sd = new StringDecoder(fast);
          decoder = { decode: (b?: Buffer) => (b ? sd.write(b) : sd.end()) };
        } else decoder = new TextDecoder(sniffed.encoding);
        bytes = bytes.subarray(sniffed.skip);
      }
      const text = decoder.decode(bytes, { stream: true });
      if (text) yield text;
    }
    const rest = decoder?.decode();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}
