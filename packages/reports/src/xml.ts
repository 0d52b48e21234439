/**
 * A streaming XML tokenizer built for test reports. It reads the file in 32 KiB chunks (small
 * enough that no chunk lands in V8's large-object space, which only a full GC frees) and
 * keeps only what it has not consumed yet: text, CDATA sections and comments are handed on
 * (or skipped) as they stream, attribute values are kept up to MAX_ATTRIBUTE characters and
 * the rest is counted, never buffered. Nothing is scanned twice, so time is linear in the
 * input and memory follows the largest tag name, not the largest text.
 * It checks what a report needs to be trusted: tags nest and close, constructs end before
 * the file does, no entity declarations; errors name the line. The encoding comes from the
 * byte order mark or the XML declaration (encoding.ts).
 */
import { TextChunks, decodedChunks } from './encoding.js';
import { decodeEntities } from './entities.js';
import { ReportError } from './model.js';
import { Names, keptName, sameAt, scanStartTag, type StartTag, type Wanted } from './xml-tag.js';
import { AttributeView } from './xml-view.js';

export interface XmlHandler {
  /** `view` is given (and `attributes` empty) for an element whose Wanted is `view`. */
  open(name: string, attributes: Record<string, string>, view?: AttributeView): void;
  /**
   * Which attributes of this element are read: all (true, the default), none, those named, or
   * `view` (read on demand from an AttributeView, valid during open()).
   * Asked once per element name: the answer must depend on the name alone.
   */
  wantsAttributes?(name: string): Wanted;
  close(name: string): void;
  text(text: string): void;
  /** Whether text nodes are wanted now (skipped otherwise, without copying). */
  wantsText(): boolean;
}

/** Characters kept of one attribute value; what is past it is counted and noted. */
export const MAX_ATTRIBUTE = 64 * 1024;

const NAME = /[A-Za-z_:][\w.:-]*/y;
const SPACE = /[ \t\r\n]*/y;
/** A whole attribute whose value is already in the buffer: the fast path. */
const ATTR_FULL = /[ \t\r\n]*([^\s=/>"'<]+)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/y;
const ATTR_HEAD = /([^\s=/>"'<]+)[ \t\r\n]*=[ \t\r\n]*(["'])/y;
const CLOSE_TAG = /<\/([A-Za-z_:][\w.:-]*)[ \t\r\n]*>/y;
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;
/**
 * The line of a character offset in the file's decoded text, found by reading the file again:
 * only an error needs a line, so the hot path counts no newlines.
 */
function lineOf(file: string, display: string, offset: number): number {
  let line = 1;
  let seen = 0;
  for (const text of decodedChunks(file, display)) {
    const end = Math.min(text.length, offset - seen);
    for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) line++;
    seen += text.length;
    if (seen >= offset) break;
  }
  return line;
}

type Mode = 'text' | 'cdata' | 'comment' | 'pi' | 'doctype' | 'open' | 'close';
const ENDS: Partial<Record<Mode, string>> = { cdata: ']]>', comment: '-->', pi: '?>' };
const WHAT: Record<Mode, string> = {
  text: 'text',
  cdata: 'a CDATA section',
  comment: 'a comment',
  pi: 'a processing instruction',
  doctype: 'a DOCTYPE',
  open: 'a tag',
  close: 'a tag',
};

export async function streamXml(file: string, handler: XmlHandler, display = file): Promise<void> {
  const stack: string[] = [];
  const wants = (name: string): Wanted => handler.wantsAttributes?.(name) ?? true;
  const names = new Names(wants);
  const tag: StartTag = { name: '', attributes: NO_ATTRIBUTES, selfClosing: false, end: 0, viewed: false };
  const view = new AttributeView();
  let buf = '';
  let pos = 0;
  /** Characters of text dropped from buf so far (buf[0] is this offset of the file's text). */
  let dropped = 0;
  let sawRoot = false;
  let sawContent = false;
  let mode: Mode = 'text';
  // The tag being read.
  let tagName = '';
  let attributes = NO_ATTRIBUTES;
  let want: Wanted = false;
  let phase: 'attrs' | 'value' = 'attrs';
  let attrName = '';
  let quote = '"';
  let value = '';
  let cut = 0;
  // DOCTYPE: bracket depth and whether it declares entities.
  let doctypeDepth = 0;
  let doctypeHead = '';
  /** Where the construct being read started (offset in the file's text). */
  let constructStart = 0;

  const fail = (message: string, at: number): never => {
    throw new ReportError(
      display,
      `invalid XML: ${message}`,
      lineOf(file, display, dropped + Math.min(at, buf.length)),
    );
  };
  /** Hands on buf[from, to) as text when the handler wants it (no copy otherwise). */
  const emit = (from: number, to: number) => {
    if (to > from && stack.length && handler.wantsText()) handler.text(buf.slice(from, to));
  };
  const keepValue = (piece: string) => {
    if (want === false) return;
    const room = MAX_ATTRIBUTE - value.length;
    if (room > 0) value += piece.length > room ? piece.slice(0, room) : piece;
    if (piece.length > room) cut += piece.length - Math.max(room, 0);
  };
  const finishOpen = (selfClosing: boolean, viewed: boolean) => {
    sawRoot = true;
    if (viewed) handler.open(tagName, NO_ATTRIBUTES, view);
    else handler.open(tagName, attributes);
    if (selfClosing) handler.close(tagName);
    else stack.push(tagName);
    tagName = '';
    mode = 'text';
  };
  /** Text outside the root element: only white space is allowed. */
  const outside = (from: number, to: number) => {
    const text = buf.slice(from, to).trim();
    if (!text) return;
    if (sawRoot) fail('text after the root element', from);
    if (!sawContent && /^[[{]/.test(text)) throw new ReportError(display, 'is JSON, not an XML report');
    if (text.includes('\u0000'))
      throw new ReportError(
        display,
        'holds NUL bytes: binary data or UTF-16 without a byte order mark, not an XML report',
      );
    throw new ReportError(display, `is not XML: it starts with ${JSON.stringify(text.slice(0, 40))}`);
  };

  /** Consumes what it can of buf; returns when the rest needs more data. */
  const consume = (final: boolean) => {
    for (;;) {
      if (mode === 'text') {
        const lt = buf.indexOf('<', pos);
        const end = lt === -1 ? buf.length : lt;
        if (end > pos) {
          if (!stack.length) outside(pos, end);
          else if (handler.wantsText()) {
            // An entity cut by the chunk boundary waits for the rest of it.
            let stop = end;
            const amp = lt === -1 && !final ? buf.lastIndexOf('&', end - 1) : -1;
            if (amp >= pos && end - amp < 12 && buf.indexOf(';', amp) === -1) stop = amp;
            handler.text(decodeEntities(buf.slice(pos, stop)));
            pos = stop;
            if (stop < end) return;
          }
          pos = end;
        }
        if (lt === -1) return;
        if (buf.length - lt < 9 && !final) return; // not enough to tell `<![CDATA[` from `<!x`
        sawContent = true;
        constructStart = dropped + lt;
        const next = buf.charCodeAt(lt + 1);
        // Fast paths: a whole start or end tag already in the buffer is read by one regex;
        // anything else (cut by the chunk end, long values, bad syntax) by the state machine below.
        if (next === 47 /* / */) {
          // Most often the end tag of the open element, as written: no copy of its name.
          const open = stack.at(-1);
          if (
            open !== undefined &&
            lt + 3 + open.length <= buf.length &&
            sameAt(buf, lt + 2, open) &&
            buf.charCodeAt(lt + 2 + open.length) === 62 /* > */
          ) {
            stack.pop();
            handler.close(open);
            pos = lt + 3 + open.length;
            continue;
          }
          CLOSE_TAG.lastIndex = lt;
          const m = CLOSE_TAG.exec(buf);
          if (m) {
            const name = m[1] as string;
            const open = stack.pop();
            if (open !== name)
              fail(
                open
                  ? `closing tag </${name}> does not match <${open}>`
                  : `closing tag </${name}> without an opening tag`,
                lt,
              );
            handler.close(name);
            pos = CLOSE_TAG.lastIndex;
            continue;
          }
        } else if (next !== 33 /* ! */ && next !== 63 /* ? */) {
          if (scanStartTag(buf, lt, MAX_ATTRIBUTE, names, NO_ATTRIBUTES, tag, view)) {
            tagName = tag.name;
            if (!stack.length && sawRoot) fail('a second root element', lt + 1);
            attributes = tag.attributes;
            pos = tag.end;
            finishOpen(tag.selfClosing, tag.viewed);
            continue;
          }
        }
        if (buf.startsWith('<!--', lt)) {
          mode = 'comment';
          pos = lt + 4;
        } else if (buf.charCodeAt(lt + 1) === 47 /* / */) {
          mode = 'close';
          pos = lt + 2;
        } else if (buf.charCodeAt(lt + 1) !== 33 /* ! */ && buf.charCodeAt(lt + 1) !== 63 /* ? */) {
          mode = 'open';
          pos = lt + 1;
          tagName = '';
        } else if (buf.startsWith('<![CDATA[', lt)) {
          if (!stack.length) fail('a CDATA section outside the root element', lt);
          mode = 'cdata';
          pos = lt + 9;
        } else if (buf.startsWith('<?', lt)) {
          mode = 'pi';
          pos = lt + 2;
        } else {
          mode = 'doctype';
          pos = lt + 2;
          doctypeDepth = 0;
          doctypeHead = '';
        }
        continue;
      }
      const terminator = ENDS[mode];
      if (terminator) {
        const e = buf.indexOf(terminator, pos);
        if (e === -1) {
          const keep = Math.max(pos, buf.length - terminator.length + 1);
          if (mode === 'cdata') emit(pos, keep);
          pos = keep;
          return;
        }
        if (mode === 'cdata') emit(pos, e);
        pos = e + terminator.length;
        mode = 'text';
        continue;
      }
      if (mode === 'doctype') {
        let i = pos;
        for (; i < buf.length; i++) {
          const c = buf.charCodeAt(i);
          if (c === 91 /* [ */) doctypeDepth++;
          else if (c === 93 /* ] */) doctypeDepth--;
          else if (c === 62 /* > */ && doctypeDepth <= 0) break;
        }
        if (doctypeHead.length < 4096) doctypeHead += buf.slice(pos, Math.min(i, pos + 4096));
        if (/<!ENTITY/i.test(doctypeHead)) {
          throw new ReportError(
            display,
            'declares entities in its DOCTYPE (<!ENTITY ...>), which no test report needs: refused, as entity expansion can exhaust memory',
          );
        }
        if (i === buf.length) {
          pos = i;
          return;
        }
        pos = i + 1;
        mode = 'text';
        continue;
      }
      if (mode === 'close') {
        const gt = buf.indexOf('>', pos);
        if (gt === -1) {
          if (buf.length - pos > 1024) fail('a closing tag longer than 1024 characters', pos);
          return;
        }
        const name = buf.slice(pos, gt).trim();
        const open = stack.pop();
        if (open !== name)
          fail(
            open ? `closing tag </${name}> does not match <${open}>` : `closing tag </${name}> without an opening tag`,
            pos,
          );
        handler.close(name);
        pos = gt + 1;
        mode = 'text';
        continue;
      }
      // mode === 'open'
      if (!tagName) {
        NAME.lastIndex = pos;
        if (!NAME.test(buf)) {
          if (pos >= buf.length && !final) return;
          fail(`bad element name '${buf.slice(pos, pos + 40).split(/[\s>]/)[0]}'`, pos);
        }
        const nameEnd = NAME.lastIndex;
        if (nameEnd === buf.length && !final) {
          if (nameEnd - pos > 1024) fail('an element name longer than 1024 characters', pos);
          return;
        }
        const after = buf.charCodeAt(nameEnd);
        if (!(after === 32 || after === 9 || after === 10 || after === 13 || after === 47 || after === 62)) {
          fail(`bad element name '${buf.slice(pos, Math.min(nameEnd + 1, pos + 40))}'`, pos);
        }
        const known = names.get(buf, pos, nameEnd);
        tagName = known.name;
        if (!stack.length && sawRoot) fail('a second root element', pos);
        want = known.want;
        attributes = want === false ? NO_ATTRIBUTES : {};
        phase = 'attrs';
        pos = nameEnd;
      }
      if (phase === 'value') {
        const q = buf.indexOf(quote, pos);
        if (q === -1) {
          keepValue(buf.slice(pos));
          pos = buf.length;
          return;
        }
        keepValue(buf.slice(pos, q));
        const key = keptName(want, attrName, 0, attrName.length);
        if (key !== undefined) attributes[key] = decodeEntities(value) + (cut ? ` … [${cut} more characters cut]` : '');
        pos = q + 1;
        phase = 'attrs';
        continue;
      }
      ATTR_FULL.lastIndex = pos;
      const full = ATTR_FULL.exec(buf);
      if (full) {
        const raw = full[2] ?? full[3] ?? '';
        if (raw.length <= MAX_ATTRIBUTE) {
          const name = full[1] as string;
          const key = keptName(want, name, 0, name.length);
          if (key !== undefined) attributes[key] = decodeEntities(raw);
          pos = ATTR_FULL.lastIndex;
          continue;
        }
      }
      SPACE.lastIndex = pos;
      SPACE.test(buf);
      pos = SPACE.lastIndex;
      if (pos >= buf.length) return;
      const c = buf.charCodeAt(pos);
      if (c === 62 /* > */) {
        pos++;
        if (want === 'view') view.useRecord(attributes);
        finishOpen(false, want === 'view');
        continue;
      }
      if (c === 47 /* / */) {
        if (pos + 1 >= buf.length) return;
        if (buf.charCodeAt(pos + 1) !== 62)
          fail(`bad attribute syntax in <${tagName}>: ${buf.slice(pos, pos + 40).trim()}`, pos);
        pos += 2;
        if (want === 'view') view.useRecord(attributes);
        finishOpen(true, want === 'view');
        continue;
      }
      if (c === 60 /* < */) fail(`unexpected '<' inside a tag`, pos);
      ATTR_HEAD.lastIndex = pos;
      const m = ATTR_HEAD.exec(buf);
      if (!m) {
        if (buf.length - pos < 1024 && !final) return;
        fail(`bad attribute syntax in <${tagName}>: ${buf.slice(pos, pos + 40).trim()}`, pos);
      }
      attrName = (m as RegExpExecArray)[1] as string;
      quote = (m as RegExpExecArray)[2] as string;
      value = '';
      cut = 0;
      phase = 'value';
      pos = ATTR_HEAD.lastIndex;
    }
  };

  const chunks = new TextChunks(file, display);
  try {
    for (let count = 1; ; count++) {
      // Let timers and signals (cancellation) run every few megabytes.
      if (count % 64 === 0) await new Promise((ok) => setImmediate(ok));
      const text = chunks.next(buf.length - pos);
      if (text === undefined) break;
      dropped += pos;
      buf = text;
      pos = 0;
      consume(false);
    }
  } catch (error) {
    if (error instanceof ReportError) throw error;
    throw new ReportError(display, (error as Error).message);
  } finally {
    chunks.close();
  }
  consume(true);
  if (mode !== 'text') {
    const line = lineOf(file, display, constructStart);
    throw new ReportError(
      display,
      `invalid XML: the file ends inside ${WHAT[mode]}${stack.length ? ` in <${stack.at(-1)}>` : ''}`,
      line,
    );
  }
  if (stack.length) fail(`unclosed tag: ${stack.at(-1)}`, buf.length);
}
