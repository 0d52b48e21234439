/**
 * Conventional Commits 1.0.0 (https://www.conventionalcommits.org/en/v1.0.0/): the header
 * of a commit decides its type; the body never adds commits of its own, except in the
 * opt-in nested-commit format of release-please (BEGIN_NESTED_COMMIT ... END_NESTED_COMMIT,
 * see `splitMessages` in googleapis/release-please src/commit.ts). A BREAKING CHANGE footer
 * counts whatever the header says; git's and GitHub's revert titles are reverts.
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
  /** The first line of the message (or of the nested commit), as written. */
  header: string;
  breaking: boolean;
  /** Text of BREAKING CHANGE footers (or the subject when only `!` marked it). */
  breakingNotes: string[];
  /** False when the header is not a Conventional Commit and only a footer made it count. */
  conventional: boolean;
  /** For reverts: the shas the body names (`This reverts commit <sha>.`). */
  reverts?: string[];
  /** For reverts: the header of the reverted commit, as quoted in the title. */
  revertedHeader?: string;
  /** A `Release-As: x.y.z` footer (release-please): the version this commit asks for, as written. */
  releaseAs?: string;
}

export interface ParseOptions {
  /** Read BEGIN_NESTED_COMMIT / END_NESTED_COMMIT blocks of the body as commits of their own. */
  nestedCommits?: boolean;
  /** Keep a commit whose header is not a Conventional Commit, as type '' (for a `*` release rule). */
  untyped?: boolean;
}

// As conventional-commits-parser reads a header (`^(\w*)(?:\((.*)\))?!?: (.*)$`): whitespace after
// ": " is part of the subject, so `feat:  two spaces` is a feature.
const HEADER = /^(?<type>[a-zA-Z][\w-]*)(?:\((?<scope>[^()\r\n]*)\))?(?<bang>!)?: [ \t]*(?<subject>\S.*)$/;
/** A header that looks typed (`feat:x`, `fix (api): y`, `Feat : z`) but that no parser reads as a Conventional Commit. */
const LOOKS_TYPED = /^[a-zA-Z][\w-]*\s*(?:\([^)\r\n]*\))?\s*!?\s*:/;

/** Whether a commit's header looks like a typed commit the parsers cannot read (the summary names it). */
export function unreadable(message: string): boolean {
  const header = (message.replace(/\r\n/g, '\n').trim().split('\n', 1)[0] ?? '').trim();
  return LOOKS_TYPED.test(header) && !HEADER.test(header) && !REVERT_TITLE.test(header) && !MERGE.test(header);
}
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: ?([\s\S]*)$/;
const FOOTER = /^(?:[\w-]+(?:: | #)|BREAKING[ -]CHANGE: )/;
/** git revert's title, `Revert "<header>"`, and GitHub's, which appends ` (#PR)` when squashed. */
const REVERT_TITLE = /^Revert "(?<inner>.+)"(?:\s+\(#\d+\))?$/;
const REVERTS_SHA = /This reverts commit ([0-9a-f]{7,40})/g;
const MERGE = /^Merge (pull request|branch|remote-tracking branch) /;
const NESTED = /BEGIN_NESTED_COMMIT\n?([\s\S]*?)\n?END_NESTED_COMMIT/g;
/** release-please reads the footer token case-insensitively (`release-as`) and keeps its text. */
const RELEASE_AS = /^release-as: *(\S.*?)\s*$/im;

/** Parses one message (header + optional body/footers); undefined when nothing in it counts. */
export function parseMessage(sha: string, message: string): Change | undefined {
  const text = message.replace(/\r\n/g, '\n').trim();
  const [first = '', ...rest] = text.split('\n');
  const header = first.trim();
  const body = rest.join('\n');
  const notes = breakingNotes(body);
  const shas = [...body.matchAll(REVERTS_SHA)].map((m) => m[1] as string);
  const reverts = shas.length ? { reverts: shas } : {};
  const gitRevert = REVERT_TITLE.exec(header);
  if (gitRevert?.groups) {
    const reverted = (gitRevert.groups.inner as string).trim();
    const inner = HEADER.exec(reverted)?.groups;
    return {
      sha,
      type: 'revert',
      subject: inner ? `${inner.scope ? `${inner.scope.trim()}: ` : ''}${(inner.subject as string).trim()}` : reverted,
      header,
      breaking: notes.length > 0,
      breakingNotes: notes,
      conventional: true,
      ...reverts,
      revertedHeader: reverted,
    };
  }
  const m = HEADER.exec(header)?.groups;
  if (!m) {
    // A free-form title (`v9 (#639)`) with a BREAKING CHANGE footer is still a breaking change.
    if (notes.length === 0) return undefined;
    return { sha, type: '', subject: header, header, breaking: true, breakingNotes: notes, conventional: false };
  }
  const { type = '', scope, bang, subject = '' } = m;
  const lower = type.toLowerCase();
  const releaseAs = RELEASE_AS.exec(body)?.[1];
  const revertedHeader = lower === 'revert' ? subject.trim().replace(/^"(.*)"$/, '$1') : undefined;
  return {
    sha,
    type: lower,
    ...(scope?.trim() ? { scope: scope.trim() } : {}),
    subject: subject.trim(),
    header,
    breaking: Boolean(bang) || notes.length > 0,
    breakingNotes: notes.length ? notes : bang ? [subject.trim()] : [],
    conventional: true,
    ...(revertedHeader !== undefined ? { ...reverts, revertedHeader } : {}),
    ...(releaseAs ? { releaseAs } : {}),
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
    const note = parts.join('\n').trim();
    if (note) notes.push(note);
  }
  return notes;
}

function untypedChange(sha: string, header: string): Change {
  const subject = header.trim();
  return { sha, type: '', subject, header: subject, breaking: false, breakingNotes: [], conventional: false };
}

/**
 * All changes a commit carries. A merge commit carries none (its branch's commits are read
 * one by one). Otherwise the header decides: a squash merge's bullet list of branch commits,
 * or a bot's quoted upstream changelog, is body text, not commits. With nestedCommits, each
 * BEGIN_NESTED_COMMIT block is parsed as a commit of its own, as release-please does.
 */
export function changesOf(commit: Commit, options: ParseOptions = {}): Change[] {
  const text = commit.message.replace(/\r\n/g, '\n').trim();
  const header = text.split('\n', 1)[0] ?? '';
  if ((commit.parents ?? 1) > 1 || MERGE.test(header)) return [];
  if (!options.nestedCommits || !text.includes('BEGIN_NESTED_COMMIT')) {
    const own = parseMessage(commit.sha, text) ?? (options.untyped ? untypedChange(commit.sha, header) : undefined);
    return own ? [own] : [];
  }
  const nested = [...text.matchAll(NESTED)].map((m) => m[1] as string);
  const outer = text.replace(NESTED, '').trim();
  return [outer, ...nested]
    .map((message) => parseMessage(commit.sha, message))
    .filter((c): c is Change => c !== undefined);
}
