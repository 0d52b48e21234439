/** XML's character references and the five predefined entities; nothing else is expanded. */

/** The five predefined entities (a prototype-less object: `&toString;` is not one). */
const NAMED: Record<string, string | undefined> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
});

export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  // A loop rather than replace() with a callback: names in reports are full of &amp;.
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 2);
    if (semi === -1 || semi - amp > 10) {
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    const e = s.slice(amp + 1, semi);
    let ch: string | undefined = NAMED[e];
    if (ch === undefined && e.charCodeAt(0) === 35 /* # */) {
      const hex = e.charCodeAt(1) === 120; /* x */
      const digits = e.slice(hex ? 2 : 1);
      if (digits && (hex ? /^[0-9a-fA-F]+$/ : /^\d+$/).test(digits)) {
        const code = Number.parseInt(digits, hex ? 16 : 10);
        ch = code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
    }
    if (ch === undefined) {
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    out += s.slice(from, amp) + ch;
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}
