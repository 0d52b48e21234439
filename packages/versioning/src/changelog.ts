/** The release notes: changes grouped by type, with scopes, short SHAs and links. */
import type { Change } from './commits.js';

export interface ChangelogOptions {
  version: string;
  previousTag?: string;
  tag: string;
  /** e.g. https://github.com/owner/repo, for commit and compare links. */
  repoUrl?: string;
  date?: Date;
  /** Types that released something beyond the defaults get their own section. */
  extraTypes?: string[];
  /** Workspace dependencies released in the same run (a monorepo manifest): a Dependencies section. */
  dependencies?: { name: string; version: string }[];
}

const SECTIONS: [string, string][] = [
  ['feat', 'Features'],
  ['fix', 'Bug Fixes'],
  ['perf', 'Performance'],
  ['revert', 'Reverts'],
  ['refactor', 'Refactoring'],
  ['docs', 'Documentation'],
  ['build', 'Build'],
  ['ci', 'CI'],
  ['test', 'Tests'],
  ['style', 'Style'],
  ['chore', 'Chores'],
];

/**
 * Commit text is untrusted: in a GitHub release body an `@name` notifies that user or team,
 * raw HTML renders (tracking images; `<!--` hides the rest of the notes). Mentions get a
 * zero-width space after the `@`, and `<`, `>` and `&` become entities.
 */
export function neutralise(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@(?=[A-Za-z0-9_-])/g, '@\u200b')
      .replace(/!\[/g, '!\\[')
      // Control characters (C0 and C1) but tab and newline.
      .replace(/[^\P{Cc}\t\n]/gu, '')
  );
}

function line(c: Change, repoUrl?: string): string {
  const short = c.sha.slice(0, 7);
  const ref = repoUrl ? `[${short}](${repoUrl}/commit/${c.sha})` : short;
  return `- ${c.scope ? `**${neutralise(c.scope)}:** ` : ''}${neutralise(c.subject)} (${ref})`;
}

export function renderChangelog(changes: Change[], options: ChangelogOptions): string {
  const date = (options.date ?? new Date()).toISOString().slice(0, 10);
  const title =
    options.repoUrl && options.previousTag
      ? `[${options.version}](${options.repoUrl}/compare/${options.previousTag}...${options.tag})`
      : options.version;
  const out = [`## ${title} (${date})`, ''];
  const breaking = changes.filter((c) => c.breaking);
  if (breaking.length) {
    out.push('### ⚠ Breaking Changes', '');
    for (const c of breaking) {
      for (const note of c.breakingNotes)
        out.push(
          `- ${c.scope ? `**${neutralise(c.scope)}:** ` : ''}${neutralise(note.replace(/\n+/g, ' '))} (${c.sha.slice(0, 7)})`,
        );
    }
    out.push('');
  }
  const shown = new Set(['feat', 'fix', 'perf', 'revert', ...(options.extraTypes ?? [])]);
  for (const [type, heading] of SECTIONS) {
    if (!shown.has(type)) continue;
    const group = changes.filter((c) => c.type === type);
    if (!group.length) continue;
    out.push(`### ${heading}`, '', ...group.map((c) => line(c, options.repoUrl)), '');
  }
  const others = [...shown].filter((t) => !SECTIONS.some(([s]) => s === t));
  for (const type of others) {
    const group = changes.filter((c) => c.type === type);
    if (group.length) out.push(`### ${type}`, '', ...group.map((c) => line(c, options.repoUrl)), '');
  }
  if (options.dependencies?.length) {
    out.push('### Dependencies', '');
    for (const d of options.dependencies) out.push(`- **${neutralise(d.name)}:** updated to ${d.version}`);
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}
