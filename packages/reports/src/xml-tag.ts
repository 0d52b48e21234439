/**
 * The fast path of the XML tokenizer: a whole start tag already in the buffer, read by one
 * loop of charCodeAt and indexOf (no regex match arrays, no copy of the attribute text; a
 * report has millions of attributes). Whatever it does not recognise (a tag cut by the chunk
 * end, a value over the cap, odd syntax) it leaves to the tokenizer's state machine, which
 * reads it again from the start and names the error.
 */
import { decodeEntities } from './entities.js';

/**
 * Which attributes of an element are kept: all, none, the named ones, or `view`: none is
 * copied, the handler reads what it needs from an AttributeView (xml-view.ts).
 */
export type Wanted = boolean | readonly string[] | 'view';

/** Whether buf holds `name` at `start`: a charCodeAt loop, which the JIT inlines (startsWith is a call). */
export function sameAt(buf: string, start: number, name: string): boolean {
  for (let k = 0; k < name.length; k++) if (buf.charCodeAt(start + k) !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * The name of the attribute at buf[start, end) if it is kept, else undefined. A listed name
 * is returned as the list holds it (an interned constant: no new string per attribute).
 */
export function keptName(wanted: Wanted, buf: string, start: number, end: number): string | undefined {
  if (wanted === true || wanted === 'view') return buf.slice(start, end);
  if (wanted === false) return undefined;
  const length = end - start;
  const first = buf.charCodeAt(start);
  for (let k = 0; k < wanted.length; k++) {
    const name = wanted[k] as string;
    if (name.length === length && name.charCodeAt(0) === first && sameAt(buf, start, name)) return name;
  }
  return undefined;
}

/** An element name seen before, with what its handler wants of its attributes. */
export interface Known {
  name: string;
  want: Wanted;
}

/**
 * Element names seen so far, reused with the handler's answer for their attributes: a report
 * has a handful of names and millions of elements, a reused string is hashed once for every
 * lookup the handler makes with it, and `wants` is asked once per name.
 */
export class Names {
  private readonly seen: Known[] = [];

  constructor(private readonly wants: (name: string) => Wanted) {}

  get(buf: string, start: number, end: number): Known {
    const length = end - start;
    const first = buf.charCodeAt(start);
    for (let k = 0; k < this.seen.length; k++) {
      const known = this.seen[k] as Known;
      const name = known.name;
      if (name.length === length && name.charCodeAt(0) === first && sameAt(buf, start, name)) return known;
    }
    // A property key is an internalized string: the handler's comparisons with its constants
    // and its lookups keyed by the name then compare pointers.
    const name = Object.keys({ [buf.slice(start, end)]: 0 })[0] as string;
    const known = { name, want: this.wants(name) };
    if (this.seen.length < 64) this.seen.push(known);
    return known;
  }
}

/** Where the fast path records a viewed tag's attributes (AttributeView, xml-view.ts). */
export interface TagRecorder {
  start(src: string, from: number): void;
  add(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void;
  end(to: number): void;
}

/** What scanStartTag read: one object, written again for every tag (no allocation per tag). */
export interface StartTag {
  name: string;
  attributes: Record<string, string>;
  selfClosing: boolean;
  /** Offset just past the tag's `>`. */
  end: number;
  /** Whether the attributes were recorded in the view (the element's Wanted is `view`). */
  viewed: boolean;
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
 * Reads the start tag at `lt` (the offset of its `<`). `names` knows from the element name
 * which of its attributes are kept (an element with none wanted gets `none`).
 * Fills `tag` and returns true, or returns false to leave the tag to the state machine.
 */
export function scanStartTag(
  buf: string,
  lt: number,
  maxLength: number,
  names: Names,
  none: Record<string, string>,
  tag: StartTag,
  view: TagRecorder,
): boolean {
  // Every read stays before the next `>` (no read past the end of the buffer, where charCodeAt
  // gives NaN and the optimised code is thrown away): a tag cut by the chunk end is left.
  let gt = buf.indexOf('>', lt);
  if (gt === -1) return false;
  let i = lt + 1;
  if (!isNameStart(buf.charCodeAt(i))) return false;
  while (isNameChar(buf.charCodeAt(++i)));
  const { name, want } = names.get(buf, lt + 1, i);
  const viewed = want === 'view';
  const attributes: Record<string, string> = want === false || viewed ? none : {};
  if (viewed) view.start(buf, i);
  for (;;) {
    const before = i;
    let c = buf.charCodeAt(i);
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c === 62 /* > */ || (c === 47 /* / */ && buf.charCodeAt(i + 1) === 62)) {
      tag.name = name;
      tag.attributes = attributes;
      tag.selfClosing = c === 47;
      tag.end = c === 47 ? i + 2 : i + 1;
      tag.viewed = viewed;
      if (viewed) view.end(tag.end);
      return true;
    }
    // An attribute: after white space, a name, `=` (white space around it allowed), a quoted value.
    if (i === before) return false;
    const nameStart = i;
    while (isAttributeNameChar(c)) c = buf.charCodeAt(++i);
    if (i === nameStart) return false;
    const nameEnd = i;
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c !== 61 /* = */) return false;
    c = buf.charCodeAt(++i);
    while (isSpace(c)) c = buf.charCodeAt(++i);
    if (c !== 34 /* " */ && c !== 39 /* ' */) return false;
    const close = buf.indexOf(c === 34 ? '"' : "'", i + 1);
    if (close === -1 || close - lt > maxLength) return false;
    if (viewed) view.add(nameStart, nameEnd, i + 1, close);
    else {
      const key = keptName(want, buf, nameStart, nameEnd);
      if (key !== undefined) attributes[key] = decodeEntities(buf.slice(i + 1, close));
    }
    i = close + 1;
    if (i > gt) {
      gt = buf.indexOf('>', i); // the `>` was in a value
      if (gt === -1) return false;
    }
  }
}
