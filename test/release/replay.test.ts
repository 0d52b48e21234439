import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, git } from '@rollgate/testbed';
import { bed } from './fixture.js';

interface History {
  start: string;
  releases: { version: string; commits: string[] }[];
}

const history = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'release-please-history.json'), 'utf8'),
) as History;

describe('replaying a real project history (googleapis/release-please 14.2.3 -> 16.0.0)', () => {
  it('computes the version the project released, tag by tag', async () => {
    const b = await bed();
    b.tag(`v${history.start}`);
    const ws = b.workspace();
    const computed: string[] = [];
    for (const release of history.releases) {
      for (const message of release.commits) commit(ws, message);
      commit(ws, 'chore: release'); // the release PR merge, which releases nothing by itself
      const r = await b.run({ 'dry-run': 'true', 'github-token': '' }, ws);
      expect(r.error).toBeUndefined();
      computed.push(r.outputs.version as string);
      git(ws, ['tag', '-a', `v${r.outputs.version}`, '-m', 'release']); // tag what we computed, as the action would
    }
    expect(computed).toEqual(history.releases.map((r) => r.version));
  }, 120_000);
});
