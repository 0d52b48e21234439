/** XML's character references and the five predefined entities; nothing else is expanded. */

/**
 * The five predefined entities, matched on the characters of s[from, to) (no slice, no lookup
 * by a new string: names in reports are full of &amp;). `&toString;` is not one.
 */
function named(s: string, from: number, to: number): string | undefined {
  const c0 = s.charCodeAt(from);
  const c1 = s.charCodeAt(from + 1);
  if (to - from === 2 && c1 === 116 /* t */) return c0 === 108 /* l */ ? '<' : c0 === 103 /* g */ ? '>' : undefined;
  if (to - from === 3) return c0 === 97 && c1 === 109 && s.charCodeAt(from + 2) === 112 ? '&' : undefined;
  if (to - from !== 4) return undefined;
  const c2 = s.charCodeAt(from + 2);
  const c3 = s.charCodeAt(from + 3);
  if (c0 === 113 && c1 === 117 && c2 === 111 && c3 === 116) return '"'; // quot
  if (c0 === 97 && c1 === 112 && c2 === 111 && c3 === 115) return "'"; // apos
  return undefined;
}

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
    let ch = named(s, amp + 1, semi);
    if (ch === undefined && s.charCodeAt(amp + 1) === 35 /* # */) {
      const e = s.slice(amp + 1, semi);
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
