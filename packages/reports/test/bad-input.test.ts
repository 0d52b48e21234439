/**
 * Reports that are not what they claim: each gives one line naming the file and what it is,
 * and a report in another encoding is read in that encoding. Content that would cost memory
 * (a huge CDATA section in system-out, a huge attribute) is streamed past, never held.
 */
import { describe, expect, it } from '@jest/globals';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { MAX_TEXT, ReportError, Tally, parseReport } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bad-reports-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
async function read(path: string) {
  const tally = new Tally();
  await parseReport(path, tally, 'reports/r.xml');
  return tally;
}
async function error(path: string): Promise<string> {
  const e = await read(path).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ReportError);
  const message = (e as ReportError).message;
  expect(message.startsWith('reports/r.xml')).toBe(true);
  expect(message).not.toContain('\n');
  return message;
}

const SUITE =
  '<testsuite name="s"><testcase classname="café" name="naïve test"><failure message="échec"/></testcase></testsuite>';

describe('reports that are not what they claim: one line naming the file', () => {
  it.each([
    ['an empty file', '', /empty file/],
    ['white space only', '  \n\n', /empty file/],
    ['JSON named .xml', '{"numTotalTests": 3, "testResults": []}', /is JSON, not an XML report/],
    ['plain text named .xml', 'All 12 tests passed\n', /is not XML: it starts with "All 12 tests passed"/],
    [
      'truncated XML',
      '<testsuite><testcase name="a"><failure>boom',
      /invalid XML: the file ends inside a tag|unclosed tag|ends inside/,
    ],
    [
      'entity declarations',
      '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><testsuite><testcase name="&b;"/></testsuite>',
      /declares entities in its DOCTYPE/,
    ],
    [
      'an encoding that cannot be read',
      '<?xml version="1.0" encoding="x-unknown-42"?><testsuite/>',
      /declares encoding="x-unknown-42", which cannot be read/,
    ],
    [
      'UTF-16 declared on a UTF-8 file',
      '<?xml version="1.0" encoding="UTF-16"?><testsuite/>',
      /declares encoding="UTF-16" but is not UTF-16/,
    ],
  ])('%s', async (_what, content, message) => {
    expect(await error(file('r.xml', content))).toMatch(message);
  });

  it('reads a declared ISO-8859-1 report in ISO-8859-1', async () => {
    const t = await read(
      file('latin1.xml', Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${SUITE}`, 'latin1')),
    );
    expect(t.failures()[0]).toMatchObject({ classname: 'café', name: 'naïve test', message: 'échec' });
  });

  it.each([
    [
      'UTF-16 LE with a byte order mark',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${SUITE}`, 'utf16le'),
      ]),
    ],
    ['UTF-16 LE without one', Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>${SUITE}`, 'utf16le')],
    [
      'UTF-16 BE with a byte order mark',
      Buffer.from(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SUITE, 'utf16le')]).swap16()),
    ],
    ['UTF-8 with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SUITE)])],
  ])('reads %s', async (_what, bytes) => {
    const t = await read(file('enc.xml', bytes));
    expect(t.result()).toMatchObject({ total: 1, failed: 1 });
    expect(t.failures()[0]).toMatchObject({ name: 'naïve test', message: 'échec' });
  });
});

describe('content that would cost memory is streamed past', () => {
  it('a 64 MB CDATA system-out, then a failing test: the failure is read', async () => {
    const path = join(dir, 'cdata.xml');
    const out = createWriteStream(path);
    out.write('<testsuites><testsuite name="big"><testcase classname="a" name="chatty"><system-out><![CDATA[');
    const block = 'x'.repeat(1 << 20) + ']] >';
    for (let i = 0; i < 64; i++) if (!out.write(block)) await once(out, 'drain');
    out.write(
      ']]></system-out></testcase><testcase classname="a" name="after"><failure message="still seen">trace</failure></testcase></testsuite></testsuites>',
    );
    out.end();
    await once(out, 'finish');
    const t = await read(path);
    expect(t.result()).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(t.failures()[0]).toMatchObject({ name: 'after', message: 'still seen' });
  });

  it('a failure text and an attribute past the cap are cut, with a note of how much', async () => {
    const long = 'y'.repeat(MAX_TEXT + 5000);
    const t = await read(
      file(
        'long.xml',
        `<testsuite><testcase name="t"><failure message="${long}">${long}</failure></testcase></testsuite>`,
      ),
    );
    const f = t.failures()[0];
    expect(f?.details?.endsWith('… [5000 more characters cut]')).toBe(true);
    expect(f?.message?.endsWith('… [5000 more characters cut]')).toBe(true);
    expect(f?.details?.length).toBeLessThan(MAX_TEXT + 100);
  });
});

describe('many long failures', () => {
  it('keeps what is shown (50 failures), counts every one, and says how many more there are', async () => {
    const { collectReports, judge, renderTestSummary } = await import('../src/index.js');
    const path = join(dir, 'many-failures.xml');
    const out = createWriteStream(path);
    out.write('<testsuite name="s">');
    for (let i = 0; i < 400; i++) {
      // Each failure has a 60 KB name and a 60 KB trace: all 400 kept would be about 48 MB.
      out.write(
        `<testcase classname="c" name="t${i} ${'n'.repeat(60_000)}"><failure message="m${i}">${'x'.repeat(60_000)}</failure></testcase>`,
      );
      out.write(`<testcase classname="c" name="f${i}"><flakyFailure/></testcase>`);
    }
    out.end('</testsuite>');
    await once(out, 'close');
    const collected = await collectReports([path], dir);
    expect(collected.totals).toMatchObject({ total: 800, failed: 400, passed: 400, flaky: 400 });
    expect(collected.failures).toHaveLength(50);
    expect(collected.failures[49]?.name.startsWith('t49 ')).toBe(true);
    expect(collected.flaky).toHaveLength(50);
    const md = renderTestSummary('tests', collected, judge(collected, { failOn: 'failures', minTests: 0 }));
    expect(md).toContain('### Failed tests (400)');
    expect(md).toContain('_… and 350 more failed tests._');
    expect(md).toContain('### Flaky tests (400)');
    expect(md).toContain('- _… and 350 more._');
  });
});

describe('neutral summaries', () => {
  it('markdown and HTML in test names and messages cannot format the job summary', async () => {
    const { collectReports, judge, renderTestSummary } = await import('../src/index.js');
    const hostile =
      '# Heading [click](https://evil.example) ![px](https://t.example/p.gif) <img src=x> | a | b |\u0000\u001b[31m @team';
    const path = file(
      'hostile.xml',
      `<testsuite><testcase classname="x" name="${hostile
        .replace(/[<&"]/g, (c) => ({ '<': '&lt;', '&': '&amp;', '"': '&quot;' })[c] as string)
        .replace('\u0000', '')
        .replace(
          '\u001b',
          '&#x1b;',
        )}"><failure message="${'**bold** _it_'}">\`\`\`\nbreakout</failure></testcase></testsuite>`,
    );
    const collected = await collectReports([path], dir);
    const md = renderTestSummary('tests', collected, judge(collected, { failOn: 'failures', minTests: 0 }));
    expect(md).not.toMatch(/\[click\]\(|!\[px\]|<img|^#+ Heading|\*\*bold\*\*|@team/m);
    expect(md.includes('\u001b') || md.includes('\u0000')).toBe(false);
    expect(md).toContain('&#35; Heading');
    expect(md.split('\n').filter((l) => l.startsWith('```'))).toHaveLength(2); // the failure text cannot close its fence
  });
});
