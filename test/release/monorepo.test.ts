/**
 * A monorepo released in one run from a manifest, through the bundled action on a real git
 * history: each package on its own commits and tags, in dependency order, a dependent bumped
 * when its workspace dependency is released (release-please's node-workspace plugin, lerna),
 * and every refusal before the first tag.
 */
import { describe, expect, it } from '@jest/globals';
import { commit } from '@rollgate/testbed';
import { TOKEN, bed, type Bed } from './fixture.js';

const DRY = { 'dry-run': 'true', 'github-token': '' };
const MANIFEST = {
  'dependents-bump': 'patch',
  packages: {
    'packages/cli': { 'tag-prefix': 'cli-v', 'bump-minor-pre-major': true, 'bump-patch-for-minor-pre-major': false },
    'packages/core': {},
    'sites/docs': { name: 'docs', 'tag-prefix': 'docs@', 'depends-on': ['packages/core'] },
    'packages/lint': {},
  },
};
const pkg = (name: string, deps: Record<string, string> = {}) =>
  JSON.stringify({ name, version: '0.0.0', dependencies: deps });

/** A workspace of four packages: cli depends on @acme/core by package.json, docs on core by depends-on. */
async function monorepo(manifest: unknown = MANIFEST): Promise<Bed> {
  const b = await bed();
  commit(b.seed, 'chore: workspace', {
    'release-manifest.json': JSON.stringify(manifest),
    'packages/core/package.json': pkg('@acme/core'),
    'packages/cli/package.json': pkg('@acme/cli', { '@acme/core': 'workspace:*' }),
    'packages/lint/package.json': pkg('@acme/lint'),
    'sites/docs/index.md': '# docs',
  });
  b.push();
  for (const t of ['core-v1.4.0', 'cli-v0.3.0', 'docs@2.0.0', 'lint-v1.0.0']) b.tag(t);
  return b;
}

describe('a monorepo manifest', () => {
  it('releases each package on its own commits, bumps the dependents, one tag and release per package', async () => {
    const b = await monorepo();
    commit(b.seed, 'fix(core): handle empty input', { 'packages/core/index.js': '1' });
    commit(b.seed, 'feat(cli): add --json', { 'packages/cli/index.js': '1' });
    commit(b.seed, 'docs: root readme only', { 'README.md': 'x' });
    b.push();
    b.workspace();
    const r = await b.run({ manifest: 'release-manifest.json', 'github-token': TOKEN });
    expect(r.error).toBeUndefined();
    const releases = JSON.parse(r.outputs.releases as string) as Record<string, unknown>[];
    // Dependency order: core before the packages that depend on it; free packages keep the manifest's order.
    expect(releases.map((x) => [x.path, x.tag, x['release-type'], x.released])).toEqual([
      ['packages/core', 'core-v1.4.1', 'patch', true],
      ['packages/cli', 'cli-v0.4.0', 'minor', true], // its own pre-1.0 policy: a feature bumps minor
      ['sites/docs', 'docs@2.0.1', 'patch', true],
      ['packages/lint', 'lint-v1.0.0', 'none', false],
    ]);
    expect(r.outputs.released).toBe('true');
    expect(b.remoteTags()).toEqual(
      ['cli-v0.3.0', 'cli-v0.4.0', 'core-v1.4.0', 'core-v1.4.1', 'docs@2.0.0', 'docs@2.0.1', 'lint-v1.0.0'].sort(),
    );
    // Package scopes are neutralised like every mention in release notes (`@\u200bacme`): no team is notified.
    const notes = new Map(b.gh.state.releases.map((x) => [x.tag_name, (x.body ?? '').replace(/@\u200b/g, '@')]));
    expect(b.gh.state.releases.every((x) => !(x.body ?? '').includes('@acme'))).toBe(true);
    expect([...notes.keys()].sort()).toEqual(['cli-v0.4.0', 'core-v1.4.1', 'docs@2.0.1']);
    expect(notes.get('cli-v0.4.0')).toContain('- **@acme/core:** updated to 1.4.1');
    expect(notes.get('core-v1.4.1')).toContain('handle empty input');
    expect(notes.get('core-v1.4.1')).not.toContain('--json');
    expect(notes.get('docs@2.0.1')).toContain('### Dependencies\n\n- **@acme/core:** updated to 1.4.1');
    expect(r.summary).toMatch(
      /\| docs \(`sites\/docs`\) \| docs@2\.0\.0 \| docs@2\.0\.1 \| patch \| dependencies: @acme\/core 1\.4\.1 \|/,
    );
    const again = await b.run({ manifest: 'release-manifest.json', 'github-token': TOKEN });
    expect(JSON.parse(again.outputs.releases as string).map((x: { released: boolean }) => x.released)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(b.gh.state.releases).toHaveLength(3);
  });
});

describe('a monorepo manifest, dry run and refusals', () => {
  it('dry-run prints the plan of every package and writes nothing', async () => {
    const b = await monorepo();
    commit(b.seed, 'feat(lint)!: drop the legacy rules', { 'packages/lint/rules.js': '1' });
    b.push();
    b.workspace();
    const r = await b.run({ ...DRY, manifest: 'release-manifest.json' });
    expect(r.error).toBeUndefined();
    expect(r.summary).toContain('## Would release lint-v2.0.0 (dry run)');
    for (const row of [
      /\| @acme\/core \(`packages\/core`\) \| core-v1\.4\.0 \| — \| none \| no commit since the last release calls for one \|/,
      /\| @acme\/lint \(`packages\/lint`\) \| lint-v1\.0\.0 \| lint-v2\.0\.0 \| major \| its commits \|/,
    ])
      expect(r.summary).toMatch(row);
    expect(r.summary).toContain('### @acme/lint');
    expect(b.remoteTags()).toHaveLength(4);
    expect(b.gh.calls()).toEqual([]);
  });

  it('a dependents-bump of none leaves the dependents alone', async () => {
    const b = await monorepo({ ...MANIFEST, 'dependents-bump': 'none' });
    commit(b.seed, 'feat(core): a', { 'packages/core/a.js': '1' });
    b.push();
    b.workspace();
    const r = await b.run({ ...DRY, manifest: 'release-manifest.json' });
    const released = JSON.parse(r.outputs.releases as string).filter((x: { released: boolean }) => x.released);
    expect(released.map((x: { tag: string }) => x.tag)).toEqual(['core-v1.5.0']);
  });

  it('commit-scopes own: a commit scoped to another package does not count; a shared scope does (simple-release)', async () => {
    const b = await monorepo({ ...MANIFEST, 'commit-scopes': 'own', 'shared-scopes': ['deps'] });
    commit(b.seed, 'feat(cli)!: new flags, and a reformat of core', {
      'packages/cli/a.js': '1',
      'packages/core/a.js': '1',
    });
    commit(b.seed, 'fix(deps): update lodash', { 'packages/lint/package-lock.json': '{}' });
    b.push();
    b.workspace();
    const r = await b.run({ ...DRY, manifest: 'release-manifest.json' });
    const released = JSON.parse(r.outputs.releases as string).filter((x: { released: boolean }) => x.released);
    expect(released.map((x: { tag: string }) => x.tag)).toEqual(['cli-v0.4.0', 'lint-v1.0.1']);
  });

  it.each([
    [
      'a cycle',
      { packages: { a: { 'depends-on': ['b'] }, b: { 'depends-on': ['a'] } } },
      'Input \'manifest\': expected a valid release manifest (got "The packages depend on each other in a cycle: a -> b -> a").',
    ],
    [
      'an unknown key',
      { packages: { 'packages/core': { 'tag-prefx': 'x' } } },
      'Input \'manifest\': expected a valid release manifest (got "release-manifest.json: packages.\\"packages/core\\": unknown key \\"tag-prefx\\"',
    ],
    [
      'two packages on one tag prefix',
      { packages: { 'packages/core': { 'tag-prefix': 'v' }, 'packages/cli': { 'tag-prefix': 'v' } } },
      'two packages have the tag-prefix',
    ],
    [
      'a path that is not in the repository',
      { packages: { 'packages/nope': {} } },
      "Package packages/nope: path 'packages/nope' does not exist",
    ],
  ])('refuses %s with one error line before any tag', async (_what, manifest, message) => {
    const b = await monorepo(manifest);
    commit(b.seed, 'feat: a', { 'packages/core/a.js': '1' });
    b.push();
    b.workspace();
    const r = await b.run({ manifest: 'release-manifest.json', 'github-token': TOKEN });
    expect(r.exitCode).toBe(1);
    expect(r.error).toContain(message);
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(b.remoteTags()).toHaveLength(4);
    expect(b.gh.calls()).toEqual([]);
  });

  it('refuses the single-package inputs beside a manifest, and a manifest file that is not there', async () => {
    const b = await monorepo();
    b.workspace();
    const path = await b.run({ ...DRY, manifest: 'release-manifest.json', path: 'packages/core' });
    expect(path.error).toBe(
      'Input \'path\': expected empty with manifest: release-manifest.json (set it per package in the manifest) (got "packages/core").',
    );
    const prefix = await b.run({ ...DRY, manifest: 'release-manifest.json', 'tag-prefix': 'core-v' });
    expect(prefix.error).toMatch(/^Input 'tag-prefix': expected left out with manifest/);
    const missing = await b.run({ ...DRY, manifest: 'release.json' });
    expect(missing.error).toBe(
      'Input \'manifest\': expected a JSON file of the repository (path from its root) (got "release.json").',
    );
  });
});
