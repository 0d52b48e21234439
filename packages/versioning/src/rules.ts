/** Which commit types release what: Conventional Commits defaults plus user rules. */

export type Bump = 'major' | 'minor' | 'patch' | 'none';
export const BUMPS: readonly Bump[] = ['major', 'minor', 'patch', 'none'];

export type ReleaseRules = ReadonlyMap<string, Bump>;

export const DEFAULT_RULES: ReleaseRules = new Map<string, Bump>([
  ['feat', 'minor'],
  ['fix', 'patch'],
  ['perf', 'patch'],
  ['revert', 'patch'],
]);

/** A commit type, or `*`: every other commit, typed or not (lerna's conventional-commits mode: any change is a patch). */
const TYPE = /^(?:[a-z][a-z0-9-]*|\*)$/;

/** The `*` rule: what a commit of a type without a rule of its own (or with no type) releases. */
export const ANY_TYPE = '*';

/**
 * Parses `refactor:patch,docs:none` (commas or newlines) on top of the defaults.
 * Returns the rules or an error message saying which entry is wrong.
 */
export function parseReleaseRules(text: string): { rules: ReleaseRules } | { error: string } {
  const rules = new Map(DEFAULT_RULES);
  for (const entry of text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [type, bump, extra] = entry.split(':').map((s) => s.trim());
    if (extra !== undefined || !type || !TYPE.test(type) || !bump || !(BUMPS as readonly string[]).includes(bump)) {
      return {
        error: `type:bump pairs such as refactor:patch,docs:none or *:patch (bump is one of ${BUMPS.join(', ')}); '${entry}' is not one`,
      };
    }
    rules.set(type, bump as Bump);
  }
  return { rules };
}
