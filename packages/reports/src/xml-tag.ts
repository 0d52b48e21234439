/**
 * The fast path of the XML tokenizer: a whole start tag already in the buffer, read by one
 * loop of charCodeAt and indexOf (no regex match arrays, no copy of the attribute text; a
 * report has millions of attributes). Whatever it does not recognise (a tag cut by the chunk
 * end, a value over the cap, odd syntax) it leaves to the tokenizer's state machine, which
 * reads it again from the start and names the error.
 */
import { decodeEntities } from './entities.js';

/** Which attributes of an element are kept: all, none, or the named ones. */
export type Wanted = boolean | readonly string[];

/**
 * The name of the attribute at buf[start, end) if it is kept, else undefined. A listed name
 * is returned as the list holds it (an interned constant: no new string per attribute).
 */
export function keptName(wanted: Wanted, buf: string, start: number, end: number): string | undefined {
  if (wanted === true) return buf.slice(start, end);
  if (wanted === false) return undefined;
  const length = end - start;
  for (const name of wanted) if (name.length === length && buf.startsWith(name, start)) return name;
  return undefined;
}

/**
 * Element names seen so far, reused: a report has a handful of names and millions of
 * elements, and a reused string is hashed once for every lookup the handler makes with it.
 */
export class Names {
  private readonly seen: string[] = [];

  get(buf: string, start: number, end: number): string {
    const length = end - start;
    for (const name of this.seen) if (name.length === length && buf.startsWith(name, start)) return name;
    const name = buf.slice(start, end);
    if (this.seen.length < 64) this.seen.push(name);
    return name;
  }
}

export interface StartTag {
  name: string;
  attributes: Record<string, string>;
  selfClosing: boolean;
  /** Offset just past the tag's `>`. */
  end: number;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;
/** `[A-Za-z_:]` */
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
/** `[\w.:-]` */
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
/** Not white space, `=`, `/`, `>`, a quote or `<` (and not past the end: NaN). */
const isAttributeNameChar = (c: number) =>
  c > 32 && c !== 61 && c !== 47 && c !== 62 && c !== 34 && c !== 39 && c !== 60;

/**
 * Reads the start tag at `lt` (the offset of its `<`). `wants` decides from the element name
 * which of its attributes are kept (an element with none wanted gets `none`).
 * Returns undefined to leave the tag to the state machine.
 */
export function scanStartTag(
  buf: string,
  lt: number,
  maxLength: number,
  names: Names,
  wants: (name: string) => Wanted,
  none: Record<string, string>,
): StartTag | undefined {
  let i = lt + 1;
  if (!isNameStart(buf.charCodeAt(i))) return undefined;
  while (isNameChar(buf.charCodeAt(++i)));
  const name = names.get(buf, lt + 1, i);
  const want = wants(name);
  const attributes: Record<string, string> = want === false ? none : {};
  for (;;) {
    const before = i;
    let c = buf.charCodeAt(i);
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c === 62 /* > */) return { name, attributes, selfClosing: false, end: i + 1 };
    if (c === 47 /* / */)
      return buf.charCodeAt(i + 1) === 62 ? { name, attributes, selfClosing: true, end: i + 2 } : undefined;
    // An attribute: after white space, a name, `=` (white space around it allowed), a quoted value.
    if (i === before) return undefined;
    const nameStart = i;
    while (isAttributeNameChar(c)) c = buf.charCodeAt(++i);
    if (i === nameStart) return undefined;
    const nameEnd = i;
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c !== 61 /* = */) return undefined;
    c = buf.charCodeAt(++i);
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c !== 34 /* " */ && c !== 39 /* ' */) return undefined;
    const close = buf.indexOf(c === 34 ? '"' : "'", i + 1);
    if (close === -1 || close - lt > maxLength) return undefined;
    const key = keptName(want, buf, nameStart, nameEnd);
    if (key !== undefined) attributes[key] = decodeEntities(buf.slice(i + 1, close));
    i = close + 1;
  }
}
