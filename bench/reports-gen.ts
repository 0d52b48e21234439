/** Writes a synthetic JUnit report: `cases` test cases, `failRate` of them failing with a stack trace. */
import { createWriteStream } from 'node:fs';

export async function writeJUnit(file: string, cases: number, failRate = 0.05): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  const write = (s: string) => {
    bytes += Buffer.byteLength(s);
    return out.write(s) ? Promise.resolve() : new Promise<void>((ok) => out.once('drain', () => ok()));
  };
  const stack = Array.from(
    { length: 12 },
    (_, i) => `    at Object.method${i} (/home/runner/work/app/src/module${i}.ts:${10 + i}:${5 + i})`,
  ).join('\n');
  const perSuite = 1000;
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench">\n');
  for (let s = 0; s * perSuite < cases; s++) {
    await write(`  <testsuite name="suite ${s}" tests="${perSuite}" time="1.5">\n`);
    let chunk = '';
    for (let i = s * perSuite; i < Math.min(cases, (s + 1) * perSuite); i++) {
      const fails = (i * 7919) % 100 < failRate * 100;
      chunk += `    <testcase classname="app.module${s}.Spec${i % 50}" name="does thing number ${i} &amp; more" time="0.${String(i % 997).padStart(3, '0')}" file="src/module${s}.test.ts" line="${i % 400}">`;
      chunk += fails
        ? `\n      <failure message="expected ${i} to equal ${i + 1}" type="AssertionError">AssertionError: expected ${i} to equal ${i + 1}\n${stack}\n${'    context line with some words of detail\n'.repeat(20)}</failure>\n      <system-out><![CDATA[log line for ${i}\n${'x'.repeat(120)}]]></system-out>\n    </testcase>\n`
        : `<system-out><![CDATA[ran ${i}: ${'ok '.repeat(80)}]]></system-out></testcase>\n`;
    }
    await write(chunk);
    await write('  </testsuite>\n');
  }
  await write('</testsuites>\n');
  await new Promise<void>((ok) => out.end(() => ok()));
  return bytes;
}

/**
 * A report whose first test case prints `cdataMb` MB into one CDATA section of its
 * system-out (a chatty test's captured log), followed by `cases` ordinary test cases of which
 * the last one fails: the failure after the flood must still be read.
 */
export async function writeCdataFlood(file: string, cdataMb: number, cases: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((ok) => out.once('drain', () => ok()));
  await write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="flood"><testsuite name="chatty"><testcase classname="chatty" name="logs a lot"><system-out><![CDATA[',
  );
  const mb = `${'log line with <angle> brackets & ]] almost-ends\n'.repeat(21845)}`.slice(0, 1 << 20);
  for (let i = 0; i < cdataMb; i++) await write(mb);
  await write(']]></system-out></testcase></testsuite>\n<testsuite name="after">');
  let chunk = '';
  for (let i = 0; i < cases; i++) {
    chunk += `<testcase classname="after" name="case ${i}" time="0.001">${i === cases - 1 ? '<failure message="the failure after the flood">trace</failure>' : ''}</testcase>\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}</testsuite></testsuites>\n`);
  await new Promise<void>((ok) => out.end(() => ok()));
}

/**
 * A report of `failures` failing test cases, each with a 60 KB name and a 60 KB trace: what
 * the action keeps of failures must be bounded by what it shows, not by their number.
 */
export async function writeLongFailures(file: string, failures: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((ok) => out.once('drain', () => ok()));
  await write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="long">');
  const name = 'n'.repeat(60_000);
  const trace = `Error: boom\n${'    at frame (deep/inside/some/module.js:1:1)\n'.repeat(1300)}`.slice(0, 60_000);
  for (let i = 0; i < failures; i++) {
    await write(
      `<testcase classname="long" name="t${i} ${name}"><failure message="m${i}">${trace}</failure></testcase>\n`,
    );
  }
  await write('</testsuite></testsuites>\n');
  await new Promise<void>((ok) => out.end(() => ok()));
}
