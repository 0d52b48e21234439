/**
 * The tokenizer's two paths must agree: a start or end tag whole in the buffer goes through
 * the fast scanner (xml-tag.ts), one cut by a chunk boundary (or too long, or odd) through
 * the state machine.
 * Every element and attribute is read the same wherever the 32 KiB chunks fall.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextChunks } from '../src/encoding.js';
import { decodeEntities } from '../src/entities.js';
import { streamXml } from '../src/xml.js';
import type { Attributes } from '../src/xml-view.js';

const dir = mkdtempSync(join(tmpdir(), 'xml-'));

async function events(xml: string, wantsAttributes?: (name: string) => boolean | readonly string[]): Promise<string[]> {
  const file = join(dir, `r${Math.random()}.xml`);
  writeFileSync(file, xml);
  const out: string[] = [];
  let inText = false;
  await streamXml(file, {
    ...(wantsAttributes ? { wantsAttributes } : {}),
    open: (name, a) => {
      out.push(`<${name} ${JSON.stringify(a)}>`);
      inText = name === 'failure';
    },
    close: (name) => {
      out.push(`</${name}>`);
      inText = false;
    },
    text: (t) => out.push(`text:${t}`),
    wantsText: () => inText,
  });
  // Text may arrive in pieces: join neighbours so only content is compared.
  return out.reduce<string[]>(
    (acc, e) =>
      e.startsWith('text:') && acc.at(-1)?.startsWith('text:')
        ? [...acc.slice(0, -1), `${acc.at(-1)}${e.slice(5)}`]
        : [...acc, e],
    [],
  );
}

describe('XML tokenizer', () => {
  it('decodes the predefined and numeric entities, and leaves anything else as written', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;')).toBe('a & b <c> "d" \'e\'');
    expect(decodeEntities('&#65;&#x42;&#x1F600;')).toBe('AB😀');
    expect(decodeEntities('&toString; &constructor; &__proto__; &foo; &amp no semicolon')).toBe(
      '&toString; &constructor; &__proto__; &foo; &amp no semicolon',
    );
    expect(decodeEntities('&#x110000; gone')).toBe(' gone');
    expect(decodeEntities('&#xZZ; &#; &#x;')).toBe('&#xZZ; &#; &#x;');
  });

  it('reads the same elements and attributes wherever the chunk boundaries fall', async () => {
    const testcase = (i: number) =>
      `<testcase  classname = 'a.B${i}'\n name="case &amp; ${i} &#x263A;" time="0.${i}"${i % 3 ? '/>' : `><failure message="m${i}">trace &lt;${i}&gt;</failure></testcase >`}`;
    const body = Array.from({ length: 40 }, (_, i) => testcase(i)).join('\n');
    const reference = await events(`<testsuite name="s">${body}</testsuite>`);
    expect(reference.filter((e) => e.startsWith('<testcase'))).toHaveLength(40);
    expect(reference).toContain('<testcase {"classname":"a.B1","name":"case & 1 ☺","time":"0.1"}>');
    expect(reference).toContain('text:trace <3>');
    // Shift the content across the 32 KiB boundary one character at a time.
    for (let pad = 0; pad < 400; pad += 7) {
      const padding = ' '.repeat((1 << 15) - 40 - pad);
      expect(await events(`<testsuite name="s">${padding}${body}</testsuite>`)).toEqual(reference);
    }
  });

  it('keeps only the attributes the handler names, on both paths', async () => {
    const wanted = (name: string) => (name === 'testcase' ? ['name', 'time'] : name === 'system-out' ? false : true);
    const body = Array.from(
      { length: 30 },
      (_, i) =>
        `<testcase classname="c${i}" name="n${i}" names="x" time="${i}"><system-out a="b">log</system-out></testcase>`,
    ).join('\n');
    const reference = await events(`<testsuite name="s">${body}</testsuite>`, wanted);
    expect(reference).toContain('<testcase {"name":"n3","time":"3"}>');
    expect(reference).toContain('<system-out {}>');
    expect(reference[0]).toBe('<testsuite {"name":"s"}>');
    for (let pad = 0; pad < 300; pad += 11) {
      expect(
        await events(`<testsuite name="s">${' '.repeat((1 << 15) - 40 - pad)}${body}</testsuite>`, wanted),
      ).toEqual(reference);
    }
  });

  it('matches end tags by name, not by prefix', async () => {
    await expect(events('<testsuite><testcase></testcases></testsuite>')).rejects.toThrow(
      /closing tag <\/testcases> does not match <testcase>/,
    );
    await expect(events('<testsuite><testcase></testcas></testsuite>')).rejects.toThrow(
      /closing tag <\/testcas> does not match <testcase>/,
    );
    expect(await events('<testsuite><testcase></testcase\n></testsuite>')).toEqual([
      '<testsuite {}>',
      '<testcase {}>',
      '</testcase>',
      '</testsuite>',
    ]);
  });

  it('still reads a tag too long for the fast path (a 100 KB attribute), cut to its limit', async () => {
    const events_ = await events(`<testsuite name="s"><testcase name="${'x'.repeat(100_000)}"/></testsuite>`);
    const tag = events_.find((e) => e.startsWith('<testcase')) as string;
    expect(tag).toContain('more characters cut]');
    expect(JSON.parse(tag.slice(10, -1)).name.length).toBeLessThan(70_000);
  });

  it('reads a viewed element the same on both paths, during open() and after it', async () => {
    const testcase = (i: number) =>
      `<testcase classname="a.B${i}" name="n &amp; ${i} &#x263A; &gt;" time="${i % 4 ? `0.${i}` : 'NaN'}"${i % 5 ? '' : ` file="f${i}.ts"`}${i === 7 ? ` long="${'y'.repeat(70_000)}"` : ''}>x</testcase>`;
    const body = Array.from({ length: 30 }, (_, i) => testcase(i)).join('\n');
    const read = async (xml: string) => {
      const file = join(dir, `v${Math.random()}.xml`);
      writeFileSync(file, xml);
      const out: string[] = [];
      let kept: Attributes | undefined;
      await streamXml(file, {
        wantsAttributes: (name) => (name === 'testcase' ? 'view' : true),
        open: (name, a, view) => {
          if (name !== 'testcase') return;
          expect(a).toEqual({});
          const v = view as NonNullable<typeof view>;
          out.push(`open ${v.get('name')} ${v.number('time')} ${v.get('absent')} ${v.number('absent')}`);
          kept = v.keep();
        },
        close: (name) => {
          if (name === 'testcase')
            out.push(`later ${kept?.get('classname')} ${kept?.get('file')} ${kept?.get('name')}`);
        },
        text: () => undefined,
        wantsText: () => false,
      });
      return out;
    };
    const reference = await read(`<testsuite>${body}</testsuite>`);
    expect(reference).toHaveLength(60);
    expect(reference[2]).toBe('open n & 1 ☺ > 0.1 undefined undefined');
    expect(reference[1]).toBe('later a.B0 f0.ts n & 0 ☺ >');
    expect(reference).toContain('open n & 4 ☺ > NaN undefined undefined');
    expect(reference).toContain('later a.B7 undefined n & 7 ☺ >'); // the state machine's record
    for (let pad = 0; pad < 300; pad += 13) {
      expect(await read(`<testsuite>${' '.repeat((1 << 15) - 30 - pad)}${body}</testsuite>`)).toEqual(reference);
    }
  });
});

describe('TextChunks', () => {
  /** Reads a file as the tokenizer does, keeping `keep(i)` characters of each chunk, and checks the carry. */
  function readAll(bytes: Buffer, keep: (i: number, length: number) => number): string {
    const file = join(dir, `t${Math.random()}.txt`);
    writeFileSync(file, bytes);
    const chunks = new TextChunks(file, 'r.txt');
    let text = '';
    let last = '';
    let kept = 0;
    try {
      for (let i = 0; ; i++) {
        const next = chunks.next(kept);
        if (next === undefined) break;
        expect(next.slice(0, kept)).toBe(last.slice(last.length - kept));
        text += next.slice(kept);
        last = next;
        kept = keep(i, next.length);
      }
    } finally {
      chunks.close();
    }
    return text;
  }

  it('decodes UTF-8 exactly wherever the chunks cut a character, whatever it carries over', () => {
    const ascii = 'plain ascii text <tag a="b"/>\n'.repeat(1500);
    const mixed = 'é☺😀 Ünïcødé ☺😀é '.repeat(900);
    const original = `${ascii}${mixed}${ascii}${mixed.slice(1)}${ascii}😀`;
    const bytes = Buffer.from(original, 'utf8');
    for (const keep of [
      () => 0,
      () => 1,
      (i: number) => (i * 37) % 200,
      (_: number, n: number) => Math.min(n, 20_000), // more than is carried as bytes
      (i: number, n: number) => (i % 3 ? n : 3),
    ]) {
      expect(readAll(bytes, keep)).toBe(original);
    }
    // A byte order mark is dropped; a character cut by the end of the file is a replacement character.
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes, Buffer.from([0xe2, 0x98])]);
    expect(readAll(bom, () => 2)).toBe(`${original}\ufffd`);
  });

  it('carries kept characters of other encodings as a string', () => {
    const original = 'caf\u00e9 na\u00efve \u00fcber '.repeat(4000);
    const latin1 = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>'),
      Buffer.from(original, 'latin1'),
    ]);
    expect(readAll(latin1, (i) => (i * 53) % 300)).toBe(`<?xml version="1.0" encoding="ISO-8859-1"?>${original}`);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${original}☺😀`, 'utf16le')]);
    expect(readAll(utf16, (i) => (i * 29) % 100)).toBe(`${original}☺😀`);
  });
});
