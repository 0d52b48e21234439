/**
 * Headers read as conventional-commits-parser reads them (with the conventionalcommits preset's
 * options, which release-please and conventional-changelog use), checked on every commit
 * message of the replayed histories: type, scope, subject and whether it is breaking.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CommitParser } from 'conventional-commits-parser';
import createPreset from 'conventional-changelog-conventionalcommits';
import { parseMessage } from '@rollgate/versioning';

const FIXTURES = join(import.meta.dirname, 'fixtures');
function messages(): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.message === 'string' && typeof o.sha === 'string') out.add(o.message);
      else Object.values(o).forEach(walk);
    }
  };
  for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.json') && n !== 'replay-deviations.json'))
    walk(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')));
  return [...out];
}

describe('headers against conventional-commits-parser', () => {
  it('agree on type, scope, subject and breaking for every commit of the replayed histories', async () => {
    const preset = await createPreset();
    const parser = new CommitParser(preset.parser);
    const all = messages();
    const differences: { message: string; full: string; theirs: unknown; ours: unknown }[] = [];
    let typed = 0;
    for (const message of all) {
      const header = message.split('\n', 1)[0] ?? '';
      if (/^Revert "/.test(header) || /^Merge /.test(header)) continue;
      const t = parser.parse(message);
      const o = parseMessage('0'.repeat(40), message);
      const theirs = t.type
        ? {
            type: t.type,
            scope: t.scope ?? undefined,
            subject: t.subject,
            breaking: t.notes.length > 0 || /^\w*(\(.*\))?!: /.test(header),
          }
        : undefined;
      const ours = o?.conventional
        ? { type: o.type, scope: o.scope, subject: o.subject, breaking: o.breaking }
        : undefined;
      if (theirs) typed++;
      if (JSON.stringify(theirs) !== JSON.stringify(ours))
        differences.push({ message: header, full: message, theirs, ours });
    }
    expect(all.length).toBeGreaterThan(5000);
    expect(typed).toBeGreaterThan(3000);
    // Where the action reads on purpose otherwise, each class named; anything else fails.
    const classOf = (d: (typeof differences)[number]): string => {
      const t = d.theirs as { type: string; subject: string; scope?: string; breaking: boolean } | undefined;
      const o = d.ours as typeof t;
      if (!t && o && d.message !== d.message.trimStart())
        return 'leading whitespace before the type (ours trims the header)';
      if (!t && o && o.type.includes('-')) return 'a hyphen in the type (system-tests:), which the spec allows';
      if (t && o && t.type.toLowerCase() === o.type && t.type !== o.type)
        return 'type case (Fix:): the spec says types are not case-sensitive; ours lowercases';
      if (t && o && t.type === o.type && t.subject.trim() === o.subject && t.breaking === o.breaking)
        return 'subject whitespace (ours trims it)';
      if (t && o && t.breaking && !o.breaking && /\n[ \t]+BREAKING CHANGE:/.test(d.full))
        return 'an indented BREAKING CHANGE quoted in a squash body (not a footer for ours)';
      return `unexplained: ${JSON.stringify({ ...d, full: undefined })}`;
    };
    const classes = new Map<string, number>();
    for (const d of differences) classes.set(classOf(d), (classes.get(classOf(d)) ?? 0) + 1);
    expect([...classes.keys()].filter((k) => k.startsWith('unexplained'))).toEqual([]);
    expect(differences.length).toBeLessThan(typed / 100);
  });
});
