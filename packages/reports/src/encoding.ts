/**
 * The text of a report file, decoded as it streams. The encoding comes from a byte order
 * mark (UTF-8, UTF-16 LE/BE), from the NUL pattern of UTF-16 without one, or from the XML
 * declaration (`encoding="ISO-8859-1"`); UTF-8 otherwise. An encoding that cannot be read is
 * one clear error naming the file.
 */
import { isAscii } from 'node:buffer';
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
/** Kept characters carried over as bytes (more are carried as a string). */
const CARRY = 1 << 14;

/** Where a UTF-8 text of bytes[0, end) can be cut without splitting a character. */
function utf8Boundary(bytes: Buffer, end: number): number {
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = bytes[i] as number;
    if (b < 0x80) return end; // ASCII: nothing is cut
    if (b >= 0xc0) return end - i >= (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? end : i; // a lead byte
  }
  return end;
}

/**
 * The file's text in chunks, decoded as it is read, synchronously into one reused buffer (an
 * asynchronous stream costs an event-loop turn per chunk, a third of the parse time on a
 * 100 MB report; the caller yields to the event loop every few megabytes instead).
 * `next(keep)` returns the last `keep` characters of the previous chunk followed by the new
 * text: for UTF-8 whose tail was ASCII the kept characters are carried as bytes and the whole
 * chunk decoded once (no second copy to join them, half the garbage per chunk), otherwise they
 * are joined as a string (join() builds a flat string, where `+` builds a rope that every
 * charCodeAt walks).
 */
export class TextChunks {
  private readonly fd: number;
  private bytes = Buffer.allocUnsafe(CHUNK + CARRY);
  /** Bytes [0, filled) of `bytes` are read; [consumed, filled) are not decoded yet. */
  private filled = 0;
  private consumed = 0;
  private last = '';
  /** Characters at the end of `last` that are the ASCII bytes just before `consumed`. */
  private mapped = 0;
  private decoder: { decode(bytes?: Buffer, options?: { stream: boolean }): string } | undefined;
  private utf8 = false;
  private ended = false;

  constructor(
    file: string,
    private readonly display: string,
  ) {
    this.fd = openSync(file, 'r');
  }

  next(keep: number): string | undefined {
    if (this.ended) return undefined;
    // The kept characters: as the bytes they were decoded from when those were ASCII, else a string.
    const asBytes = keep > 0 && keep <= this.mapped && keep <= CARRY - 4 ? keep : 0;
    const prefix = keep > 0 && !asBytes ? this.last.slice(this.last.length - keep) : '';
    // Move what is carried (kept bytes, then an undecoded partial character) to the front.
    const from = this.consumed - asBytes;
    if (from > 0) this.bytes.copyWithin(0, from, this.filled);
    this.filled -= from;
    const pending = this.filled - asBytes;
    const n = readSync(this.fd, this.bytes, this.filled, CHUNK, null);
    this.filled += n;
    if (!this.decoder && !this.utf8) this.sniff();
    let text: string;
    let ascii = 0;
    if (this.utf8) {
      if (n === 0 && pending === 0) return this.end();
      // At the end, a cut character is decoded as it is (a replacement character).
      const end = n === 0 ? this.filled : utf8Boundary(this.bytes, this.filled);
      const part = this.bytes.subarray(0, end);
      if (isAscii(part)) {
        text = part.toString('latin1');
        ascii = text.length;
      } else text = part.toString('utf8');
      this.consumed = end;
    } else {
      const decoder = this.decoder as NonNullable<typeof this.decoder>;
      text = n === 0 ? decoder.decode() : decoder.decode(this.bytes.subarray(0, this.filled), { stream: true });
      if (n === 0 && !text) return this.end();
      this.filled = 0;
      this.consumed = 0;
    }
    const out = prefix ? [prefix, text].join('') : text;
    this.last = out;
    this.mapped = ascii;
    return out;
  }

  private sniff(): void {
    const head = this.bytes.subarray(0, this.filled);
    const sniffed = sniffEncoding(head, this.display);
    if (sniffed.encoding === 'utf-8') {
      this.utf8 = true;
      this.bytes.copyWithin(0, sniffed.skip, this.filled);
      this.filled -= sniffed.skip;
      return;
    }
    // Node's StringDecoder is several times faster than TextDecoder for what it knows.
    if (sniffed.encoding === 'utf-16le') {
      const sd = new StringDecoder('utf16le');
      this.decoder = { decode: (b?: Buffer) => (b ? sd.write(b) : sd.end()) };
    } else this.decoder = new TextDecoder(sniffed.encoding);
    this.bytes.copyWithin(0, sniffed.skip, this.filled);
    this.filled -= sniffed.skip;
  }

  private end(): undefined {
    this.ended = true;
    return undefined;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The file's text in chunks, decoded (for a second reading: the line of an error). */
export function* decodedChunks(file: string, display: string): Generator<string> {
  const chunks = new TextChunks(file, display);
  try {
    for (let text = chunks.next(0); text !== undefined; text = chunks.next(0)) if (text) yield text;
  } finally {
    chunks.close();
  }
}
