/**
 * Cold start: each bundle's entry chunk holds what every run needs, and what only some paths
 * need is a chunk of its own, loaded when that path runs: the artifact client (uploads,
 * downloads) everywhere, and Octokit where a dry run needs no API (release, build, test).
 * npm run bench:cold-start measures the start itself.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/manifest.js';

const entry = (action: string) => readFileSync(join(ROOT, 'dist', action, 'index.js'), 'utf8');
const chunks = (action: string) => readdirSync(join(ROOT, 'dist', action)).filter((f) => /^\d+\.index\.js$/.test(f));
/** The artifact client's service stub and Octokit's class, as they appear in the bundles. */
const ARTIFACT_CLIENT = 'ArtifactServiceClientJSON';
const OCTOKIT = 'class Octokit';

describe('cold start: what each path needs, loaded when it runs', () => {
  it.each(['build', 'canary', 'phased', 'rollback', 'test'])(
    '%s: the artifact client is a chunk of its own',
    (action) => {
      expect(entry(action)).not.toContain(ARTIFACT_CLIENT);
      const inChunk = (c: string) => readFileSync(join(ROOT, 'dist', action, c), 'utf8').includes(ARTIFACT_CLIENT);
      expect(chunks(action).some(inChunk)).toBe(true);
    },
  );

  it('release: never loads the artifact client', () => {
    expect(entry('release')).not.toContain(ARTIFACT_CLIENT);
  });

  it.each(['build', 'release', 'test'])('%s: Octokit is loaded only on a path that calls the API', (action) => {
    expect(entry(action)).not.toContain(OCTOKIT);
  });
});
