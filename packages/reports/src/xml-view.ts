/**
 * The attributes of a start tag, read on demand. A report has millions of test cases and
 * most of what their attributes say is never used (a passing test's name is shown only if it
 * is among the slowest), so for an element whose handler asks for a view the tokenizer's fast
 * path copies nothing: it records where each name and value lies in its buffer, and a value is
 * sliced and decoded only when the handler reads it. `keep()` gives what outlives the handler's
 * call: the tag's attribute text (one slice), read again only if a value is asked for later.
 */
import { decodeEntities } from './entities.js';
import { Names, sameAt, scanStartTag, type StartTag, type TagRecorder } from './xml-tag.js';

/** Attributes that can be read after the tag's open() call returned. */
export interface Attributes {
  get(name: string): string | undefined;
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A value found in the record of a tag the state machine read (cut by a chunk end, long values...). */
class RecordAttributes implements Attributes {
  constructor(private readonly record: Record<string, string>) {}
  get(name: string): string | undefined {
    return Object.hasOwn(this.record, name) ? this.record[name] : undefined;
  }
}

const ALL = new Names(() => true);

/** The attribute text of a tag, read (once) when a value is first asked for. */
class LaterAttributes implements Attributes {
  private record: Record<string, string> | undefined;
  constructor(private readonly text: string) {}
  get(name: string): string | undefined {
    if (!this.record) {
      const tag: StartTag = { name: '', attributes: EMPTY, selfClosing: false, end: 0, viewed: false };
      // The same characters the fast path read: they read the same way again.
      const src = `<v${this.text}`;
      this.record = scanStartTag(src, 0, Number.MAX_SAFE_INTEGER, ALL, EMPTY, tag, NO_VIEW) ? tag.attributes : {};
    }
    return Object.hasOwn(this.record, name) ? this.record[name] : undefined;
  }
}

/**
 * `digits[.digits]` of s[from, to) read by hand, exactly as Number() reads it: the digits as
 * an integer (exact below 2^53) divided by a power of ten (exact up to 10^22) is the correctly
 * rounded quotient. Anything else (signs, exponents, long strings) is left to Number().
 */
export function decimalAt(s: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 15) return undefined;
  let int = 0;
  let scale = 0;
  let dot = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      int = int * 10 + (c - 48);
      if (dot) scale++;
    } else if (c === 46 && !dot && i > from && i < to - 1) dot = true;
    else return undefined;
  }
  return scale ? int / 10 ** scale : int;
}

/** One per tokenizer, filled again for every viewed tag: valid during the handler's open() call. */
export class AttributeView implements Attributes, TagRecorder {
  private src = '';
  private from = 0;
  private to = 0;
  private count = 0;
  /** Name start, name end, value start, value end, for each attribute. */
  private spans = new Int32Array(64);
  private record: Record<string, string> | undefined;

  /** The tokenizer starts a tag whose attributes begin at `from` in `src`. */
  start(src: string, from: number): void {
    this.src = src;
    this.from = from;
    this.count = 0;
    this.record = undefined;
  }

  add(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    if (this.count * 4 === this.spans.length) {
      const more = new Int32Array(this.spans.length * 2);
      more.set(this.spans);
      this.spans = more;
    }
    const k = this.count++ * 4;
    this.spans[k] = nameStart;
    this.spans[k + 1] = nameEnd;
    this.spans[k + 2] = valueStart;
    this.spans[k + 3] = valueEnd;
  }

  /** The tag ends just before `to`. */
  end(to: number): void {
    this.to = to;
  }

  /** The state machine read the tag into a record: the view reads from it. */
  useRecord(record: Record<string, string>): void {
    this.record = record;
    this.src = '';
    this.count = 0;
  }

  /** Offset in spans of the last attribute called `name`, or -1. */
  private find(name: string): number {
    const s = this.spans;
    for (let k = (this.count - 1) * 4; k >= 0; k -= 4) {
      const start = s[k] as number;
      if ((s[k + 1] as number) - start === name.length && sameAt(this.src, start, name)) return k;
    }
    return -1;
  }

  get(name: string): string | undefined {
    if (this.record) return Object.hasOwn(this.record, name) ? this.record[name] : undefined;
    const k = this.find(name);
    return k === -1 ? undefined : decodeEntities(this.src.slice(this.spans[k + 2], this.spans[k + 3]));
  }

  /** The value as a number (NaN if it is not one), or undefined when the attribute is absent. */
  number(name: string): number | undefined {
    if (this.record) {
      const v = this.get(name);
      return v === undefined ? undefined : (decimalAt(v, 0, v.length) ?? Number(v));
    }
    const k = this.find(name);
    if (k === -1) return undefined;
    const from = this.spans[k + 2] as number;
    const to = this.spans[k + 3] as number;
    return decimalAt(this.src, from, to) ?? Number(decodeEntities(this.src.slice(from, to)));
  }

  /** What can be read after open() returned. */
  keep(): Attributes {
    if (this.record) return new RecordAttributes(this.record);
    return this.count ? new LaterAttributes(this.src.slice(this.from, this.to)) : NONE;
  }
}

const NONE: Attributes = { get: () => undefined };
/** For the re-read of a kept tag, whose element (`v`) asks for every attribute: never used. */
const NO_VIEW = new AttributeView();
