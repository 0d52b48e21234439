/**
 * Conventional Commits 1.0.0: a commit message becomes one or more changes
 * (a squash-merge body can list several conventional commits).
 */

export interface Commit {
  sha: string;
  /** Full message: subject, blank line, body. */
  message: string;
  /** Parent count > 1 for merge commits. */
  parents?: number;
}

export interface Change {
  sha: string;
  type: string;
  scope?: string;
  subject: string;
  breaking: boolean;
  /** Text of BREAKING CHANGE footers (or the subject when only `!` marked it). */
  breakingNotes: string[];
  /** For `revert` changes: the sha this reverts, when the message names it. */
  reverts?: string;
}

const HEADER = /^(?<type>[a-zA-Z][\w-]*)(?:\((?<scope>[^()\r\n]*)\))?(?<bang>!)?: (?<subject>\S.*)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: ?([\s\S]*)$/;
const FOOTER = /^(?:[\w-]+(?:: | #)|BREAKING[ -]CHANGE: )/;
const REVERT_HEADER = /^Revert "(.+)"$/;
const REVERTS_SHA = /This reverts commit ([0-9a-f]{7,40})/;
const MERGE = /^Merge (pull request|branch|remote-tracking branch) /;

/** Parses one conventional message (header + optional body/footers). */
export function parseMessage(sha: string, message: string): Change | undefined {
  const text = message.replace(/\r\n/g, '\n').trim();
  const [header = '', ...rest] = text.split('\n');
  const revert = REVERT_HEADER.exec(header.trim());
  if (revert) {
    const inner = parseMessage(sha, revert[1] as string);
    const reverts = REVERTS_SHA.exec(text)?.[1];
    return {
      sha,
      type: 'revert',
      subject: inner ? `${inner.scope ? `${inner.scope}: ` : ''}${inner.subject}` : (revert[1] as string),
      breaking: false,
      breakingNotes: [],
      ...(reverts ? { reverts } : {}),
    };
  }
  const m = HEADER.exec(header.trim());
  if (!m?.groups) return undefined;
  const { type = '', scope, bang, subject = '' } = m.groups;
  const notes = breakingNotes(rest.join('\n'));
  const breaking = Boolean(bang) || notes.length > 0;
  return {
    sha,
    type: type.toLowerCase(),
    ...(scope ? { scope: scope.trim() } : {}),
    subject: subject.trim(),
    breaking,
    breakingNotes: notes.length ? notes : bang ? [subject.trim()] : [],
  };
}

/** BREAKING CHANGE / BREAKING-CHANGE footers: the text runs until the next footer token. */
function breakingNotes(body: string): string[] {
  const notes: string[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = BREAKING_FOOTER.exec(lines[i] as string);
    if (!m) continue;
    const parts = [m[1] as string];
    while (i + 1 < lines.length && !FOOTER.test(lines[i + 1] as string)) parts.push(lines[++i] as string);
    notes.push(parts.join('\n').trim());
  }
  return notes;
}

/**
 * All changes a commit carries. A merge commit carries none (its branch's commits are
 * read one by one). A squash-merge whose body lists conventional commits as bullet
 * points (`* feat: x`) carries each of them, plus its own header.
 */
export function changesOf(commit: Commit): Change[] {
  const text = commit.message.replace(/\r\n/g, '\n').trim();
  const header = text.split('\n', 1)[0] ?? '';
  if ((commit.parents ?? 1) > 1 || MERGE.test(header)) return [];
  const own = parseMessage(commit.sha, text);
  const bulleted = squashedEntries(text.slice(header.length))
    .map((entry) => parseMessage(commit.sha, entry))
    .filter((c): c is Change => c !== undefined);
  if (bulleted.length === 0) return own ? [own] : [];
  // The header of a squash commit usually repeats the PR title; keep it only if it adds something.
  const seen = new Set(bulleted.map((c) => `${c.type}|${c.scope ?? ''}|${c.subject}`));
  const result = own && !seen.has(`${own.type}|${own.scope ?? ''}|${own.subject}`) ? [own, ...bulleted] : bulleted;
  return result;
}

/** `* feat: a` / `- fix(x): b` entries of a squash body, each with its indented continuation lines. */
function squashedEntries(body: string): string[] {
  const entries: string[] = [];
  let current: string[] | undefined;
  for (const line of body.split('\n')) {
    const bullet = /^[*-] (\S.*)$/.exec(line);
    if (bullet && HEADER.test(bullet[1] as string)) {
      if (current) entries.push(current.join('\n'));
      current = [bullet[1] as string];
    } else if (current) {
      if (/^[*-] /.test(line)) {
        entries.push(current.join('\n'));
        current = undefined;
      } else current.push(line.replace(/^ {2}/, ''));
    }
  }
  if (current) entries.push(current.join('\n'));
  return entries;
}
