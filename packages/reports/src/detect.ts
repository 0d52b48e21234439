/** Picks the parser for a report file: by extension, else by its first bytes. */
import { open } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { sniffEncoding } from './encoding.js';
import { parseJUnit } from './junit.js';
import type { ReportSink } from './model.js';
import { parseTap } from './tap.js';
import { parseTrx } from './trx.js';

export type Format = 'junit' | 'trx' | 'tap';

export async function detectFormat(file: string): Promise<Format> {
  if (/\.trx$/i.test(file)) return 'trx';
  if (/\.tap$/i.test(file)) return 'tap';
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const bytes = buffer.subarray(0, bytesRead);
    let head = bytes.toString('utf8');
    try {
      const { encoding, skip } = sniffEncoding(bytes, file);
      head = new TextDecoder(encoding).decode(bytes.subarray(skip));
    } catch {
      // The parser reports the encoding problem with the file's name.
    }
    if (/^\s*(TAP version|\d+\.\.\d+|ok\b|not ok\b)/.test(head)) return 'tap';
    if (/<TestRun\b/.test(head)) return 'trx';
    return 'junit';
  } finally {
    await handle.close();
  }
}

export async function parseReport(file: string, sink: ReportSink, display = file): Promise<Format> {
  const format = await detectFormat(file);
  const parse = format === 'trx' ? parseTrx : format === 'tap' ? parseTap : parseJUnit;
  await parse(file, sink, display);
  return format;
}
