/** A scratch GitHub-side repository, the API emulator in front of it, and a runner workspace. */
import { afterEach, expect } from '@jest/globals';
import { rmSync } from 'node:fs';
import {
  GitHubEmulator,
  cloneWorkspace,
  commit,
  createRemote,
  git,
  runAction,
  seedRepository,
  type StepResult,
} from '@rollgate/testbed';

export interface Bed {
  remote: string;
  seed: string;
  gh: GitHubEmulator;
  /** Commits in the seed work tree and pushes them. */
  push(...messages: string[]): string;
  tag(name: string, at?: string): void;
  workspace(depth?: number): string;
  run(inputs?: Record<string, string>, workspace?: string): Promise<StepResult>;
  remoteTags(): string[];
}

const open: Bed[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const bed of open.splice(0)) {
    const violations = bed.gh.violations.splice(0);
    await bed.gh.stop();
    expect(violations).toEqual([]);
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export const TOKEN = 'ghs_release_test_token_0123456789';

export async function bed(first = 'chore: initial commit'): Promise<Bed> {
  const remote = createRemote();
  const seed = seedRepository(remote, first);
  dirs.push(remote, seed);
  const gh = await GitHubEmulator.start({ remote });
  let last: string | undefined;
  const b: Bed = {
    remote,
    seed,
    gh,
    push(...messages) {
      for (const m of messages) commit(seed, m);
      git(seed, ['push', '-q', 'origin', 'main']);
      return git(seed, ['rev-parse', 'HEAD']);
    },
    tag(name, at = 'HEAD') {
      git(seed, ['tag', '-a', name, at, '-m', name]);
      git(seed, ['push', '-q', 'origin', `refs/tags/${name}`]);
    },
    workspace(depth) {
      const ws = cloneWorkspace(remote, depth ? { depth } : {});
      dirs.push(ws);
      last = ws;
      return ws;
    },
    run(inputs = {}, workspace) {
      const ws = workspace ?? last ?? b.workspace();
      return runAction({
        action: 'release',
        workspace: ws,
        inputs,
        repository: gh.repository,
        sha: git(ws, ['rev-parse', 'HEAD']),
        apiUrl: gh.url,
        token: TOKEN,
      });
    },
    remoteTags: () => git(remote, ['tag', '--list']).split('\n').filter(Boolean).sort(),
  };
  open.push(b);
  return b;
}
