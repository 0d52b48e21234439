/**
 * Credentials written into URLs (`http://user:pass@prometheus:9090`, `?api_key=...`) must not
 * reach anything stored or shown: error lines, outputs, job summaries, deployment statuses
 * (which GitHub keeps and never masks). Userinfo becomes `***@`, and the values of query
 * parameters whose names look like credentials become `***`.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#]*@/gi;
const SECRET_PARAM =
  /([?&;](?:[^=&#\s]*?(?:token|key|secret|passw(?:or)?d|pwd|auth|signature|sig|credential|session)[^=&#\s]*)=)[^&#;\s]*/gi;

export function redact(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text.replace(USERINFO, '$1***@').replace(SECRET_PARAM, '$1***');
}

/** The password of a URL's userinfo and the values of its credential-looking parameters, to mask. */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) out.push(decodeURIComponent(u.password));
    if (u.username && u.password) out.push(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`);
    for (const [k, v] of u.searchParams)
      if (v && /token|key|secret|passw(or)?d|pwd|auth|signature|sig|credential|session/i.test(k)) out.push(v);
  } catch {
    // Not a URL: nothing to mask.
  }
  return out;
}
