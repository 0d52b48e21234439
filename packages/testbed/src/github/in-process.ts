/**
 * The GitHub emulator without a socket, for the rollouts' state-machine tests: Octokit (the
 * suite's own client) with the emulator's fetch as its transport, writes not paced (the
 * emulator has no secondary rate limit), and the environment's release records over it.
 * A subpath of its own (@rollgate/testbed/in-process): importing @actions/github fixes its
 * default API URL from GITHUB_API_URL at load, so the test bed's index must not load it early.
 */
import { createGitHub, ReleaseRecords, type GitHub } from '@rollgate/github';
import { silentLogger } from '@rollgate/kit';
import { GitHubEmulator } from './emulator.js';

export interface InProcessGitHub {
  emulator: GitHubEmulator;
  gh: GitHub;
  records: ReleaseRecords;
}

export function inProcessGitHub(remote: string, environment = 'production'): InProcessGitHub {
  const emulator = new GitHubEmulator({ remote });
  emulator.url = 'http://github.test';
  const gh = createGitHub({
    token: 'unit-test-token',
    baseUrl: emulator.url,
    fetch: emulator.fetch,
    retries: 0,
    paceWrites: false,
    logger: silentLogger,
  });
  return { emulator, gh, records: new ReleaseRecords(gh, { owner: emulator.owner, repo: emulator.repo }, environment) };
}
