/**
 * A streaming XML tokenizer built for test reports: reads the file in 256 KiB chunks, jumps
 * from `<` to `<` with indexOf, and only materialises text when the handler asks for it
 * (inside a failure message), so a 1 GB report costs the largest test case in memory.
 * It checks what a report needs to be trusted: tags nest and close, constructs end before
 * the file does; errors name the line.
 */
import { createReadStream } from 'node:fs';
import { ReportError } from './model.js';

export interface XmlHandler {
  open(name: string, attributes: Record<string, string>): void;
  /** Whether the attributes of this element are read (skipped otherwise). */
  wantsAttributes?(name: string): boolean;
  close(name: string): void;
  text(text: string): void;
  /** Whether text nodes are wanted now (skipped otherwise, without copying). */
  wantsText(): boolean;
}

const ATTR = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const NAME = /[A-Za-z_:][\w.:-]*/y;
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;
const ENTITY = /&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_, e: string) => {
    if (e[0] !== '#') return NAMED[e] as string;
    const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

function countLines(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Index of the `>` that ends the tag starting at `lt`, skipping quoted attribute values; -1 if not in buf yet. */
function tagEnd(buf: string, lt: number): number {
  for (let i = lt + 1; i < buf.length; i++) {
    const c = buf.charCodeAt(i);
    if (c === 62 /* > */) return i;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = buf.indexOf(c === 34 ? '"' : "'", i + 1);
      if (close === -1) return -1;
      i = close;
    } else if (c === 60 /* < */) return -2;
  }
  return -1;
}

export async function streamXml(file: string, handler: XmlHandler, display = file): Promise<void> {
  const stack: string[] = [];
  let buf = '';
  let linesBefore = 0;
  let pos = 0;
  let sawRoot = false;
  const fail = (message: string, at: number): never => {
    throw new ReportError(display, `invalid XML: ${message}`, linesBefore + countLines(buf, at) + 1);
  };

  /** Consumes complete constructs from buf; returns when the rest needs more data. */
  const consume = (final: boolean) => {
    for (;;) {
      const lt = buf.indexOf('<', pos);
      const textEnd = lt === -1 ? buf.length : lt;
      if (textEnd > pos) {
        if (stack.length && handler.wantsText()) handler.text(decodeEntities(buf.slice(pos, textEnd)));
        else if (!stack.length && buf.slice(pos, textEnd).trim() && sawRoot) fail('text after the root element', pos);
        pos = textEnd;
      }
      if (lt === -1) return;
      let end: number;
      if (buf.startsWith('<!--', lt)) {
        end = buf.indexOf('-->', lt + 4);
        if (end === -1) break;
        pos = end + 3;
      } else if (buf.startsWith('<![CDATA[', lt)) {
        end = buf.indexOf(']]>', lt + 9);
        if (end === -1) break;
        if (stack.length && handler.wantsText()) handler.text(buf.slice(lt + 9, end));
        pos = end + 3;
      } else if (buf.startsWith('<?', lt)) {
        end = buf.indexOf('?>', lt + 2);
        if (end === -1) break;
        pos = end + 2;
      } else if (buf.startsWith('<!', lt)) {
        const bracket = buf.indexOf('[', lt);
        const gt = buf.indexOf('>', lt);
        end = bracket !== -1 && bracket < gt ? buf.indexOf(']>', bracket) + 1 : gt;
        if (end <= 0) break;
        pos = end + 1;
      } else {
        end = tagEnd(buf, lt);
        if (end === -2) fail(`unexpected '<' inside a tag`, lt);
        if (end === -1) break;
        if (buf.charCodeAt(lt + 1) === 47 /* / */) {
          const name = buf.slice(lt + 2, end).trim();
          const open = stack.pop();
          if (open !== name) fail(open ? `closing tag </${name}> does not match <${open}>` : `closing tag </${name}> without an opening tag`, lt);
          handler.close(name);
        } else {
          const selfClosing = buf.charCodeAt(end - 1) === 47;
          const inner = selfClosing ? end - 1 : end;
          NAME.lastIndex = lt + 1;
          const nameEnd = NAME.test(buf) ? NAME.lastIndex : lt + 1;
          const after = buf.charCodeAt(nameEnd);
          if (nameEnd === lt + 1 || nameEnd > inner || (nameEnd < inner && after !== 32 && after !== 9 && after !== 10 && after !== 13)) {
            fail(`bad element name '${buf.slice(lt + 1, Math.min(inner, lt + 40))}'`, lt);
          }
          const name = buf.slice(lt + 1, nameEnd);
          if (!stack.length && sawRoot) fail('a second root element', lt);
          let attributes = NO_ATTRIBUTES;
          if (nameEnd < inner && (handler.wantsAttributes?.(name) ?? true)) {
            attributes = {};
            ATTR.lastIndex = nameEnd;
            let done = nameEnd;
            let m: RegExpExecArray | null;
            while (done < inner && (m = ATTR.exec(buf)) && ATTR.lastIndex <= inner) {
              attributes[m[1] as string] = decodeEntities(m[2] ?? m[3] ?? '');
              done = ATTR.lastIndex;
            }
            if (buf.slice(done, inner).trim()) fail(`bad attribute syntax in <${name}>: ${buf.slice(done, inner).trim().slice(0, 40)}`, lt);
          }
          sawRoot = true;
          handler.open(name, attributes);
          if (selfClosing) handler.close(name);
          else stack.push(name);
        }
        pos = end + 1;
      }
    }
    if (final) {
      const what = buf.startsWith('<![CDATA[', pos) ? 'a CDATA section' : buf.startsWith('<!--', pos) ? 'a comment' : 'a tag';
      fail(`the file ends inside ${what}${stack.length ? ` in <${stack.at(-1)}>` : ''}`, pos);
    }
  };

  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 18 });
  try {
    let first = true;
    for await (const chunk of stream) {
      let text = chunk as string;
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      if (pos > 0) {
        linesBefore += countLines(buf, pos);
        buf = buf.slice(pos);
        pos = 0;
      }
      buf += text;
      consume(false);
    }
  } catch (error) {
    stream.destroy();
    if (error instanceof ReportError) throw error;
    throw new ReportError(display, (error as Error).message);
  }
  consume(true);
  if (stack.length) fail(`unclosed tag: ${stack.at(-1)}`, buf.length);
}
