import { describe, expect, it } from '@jest/globals';
import { dependencyOrder, parseManifest } from '../src/index.js';

const files: Record<string, string> = {
  'packages/writer': JSON.stringify({ name: 'conventional-changelog-writer' }),
  'packages/core': JSON.stringify({
    name: 'conventional-changelog-core',
    dependencies: { 'conventional-changelog-writer': 'workspace:^', lodash: '^4' },
  }),
  'packages/cli': JSON.stringify({ name: '@scope/cli', devDependencies: { 'conventional-changelog-core': '*' } }),
};
const read = (path: string) => files[path];
const parse = (doc: unknown) => parseManifest(JSON.stringify(doc), 'm.json', read);

describe('release manifest', () => {
  it('names packages from package.json, tags them <unscoped name>-v, and reads workspace dependencies of every kind', () => {
    const m = parse({ packages: { 'packages/cli': {}, 'packages/core': {}, 'packages/writer': {}, tools: {} } });
    expect(m.dependentsBump).toBe('patch');
    expect(m.packages.map((p) => [p.name, p.tagPrefix, p.dependsOn])).toEqual([
      ['@scope/cli', 'cli-v', ['packages/core']],
      ['conventional-changelog-core', 'conventional-changelog-core-v', ['packages/writer']],
      ['conventional-changelog-writer', 'conventional-changelog-writer-v', []],
      ['tools', 'tools-v', []],
    ]);
    // Each package after its dependencies; free packages in the manifest's order.
    const order = dependencyOrder(m.packages).map((p) => p.path);
    expect(order).toEqual(['packages/writer', 'packages/core', 'packages/cli', 'tools']);
  });

  it('takes the pre-1.0 switches per package over the defaults given', () => {
    const m = parseManifest(
      JSON.stringify({ packages: { a: { 'bump-patch-for-minor-pre-major': true }, b: {} } }),
      'm.json',
      () => undefined,
      { preMajor: { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: false } },
    );
    expect(m.packages.map((p) => p.preMajor)).toEqual([
      { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: true },
      { bumpMinorPreMajor: true, bumpPatchForMinorPreMajor: false },
    ]);
  });

  it.each([
    ['[]', /expected an object with "packages"/],
    ['{"packages": {}}', /naming at least one package/],
    ['{"packages": {"a": {}}, "plugins": []}', /unknown key "plugins"/],
    [
      '{"packages": {"a": {}}, "dependents-bump": "huge"}',
      /"dependents-bump" must be one of major, minor, patch, none/,
    ],
    ['{"packages": {"../a": {}}}', /packages."\.\.\/a": expected a folder relative to the repository root/],
    ['{"packages": {"a": {"depends-on": ["b"]}}}', /depends-on "b", which is not in packages/],
    ['{"packages": {"a": {"tag-prefix": "a..b"}}}', /"tag-prefix" "a\.\.b" is not one git takes/],
    ['{"packages": {"a": {"bump-minor-pre-major": "yes"}}}', /"bump-minor-pre-major" must be true or false/],
    ['{"packages": {"a": {"initial-version": "1"}}}', /"initial-version" must be a version/],
    ['{"packages": {"a": {"name": "x"}, "b": {"name": "x", "tag-prefix": "b-v"}}}', /two packages have the name "x"/],
    ['not json', /^m\.json: not JSON/],
  ])('refuses %s', (text, message) => {
    expect(() => parseManifest(text, 'm.json', () => undefined)).toThrow(message);
  });

  it('refuses a dependency cycle, naming it', () => {
    const m = parse({
      packages: { a: { 'depends-on': ['b'] }, b: { 'depends-on': ['c'] }, c: { 'depends-on': ['b'] } },
    });
    expect(() => dependencyOrder(m.packages)).toThrow('The packages depend on each other in a cycle: b -> c -> b');
  });
});
