import { describe, expect, it } from '@jest/globals';
import { bufferLogger, readRunnerEnv } from '../src/index.js';

describe('the runner environment, read once', () => {
  it('reads what the runner sets, and what a step outside a runner falls back to', () => {
    const env = readRunnerEnv({
      GITHUB_REPOSITORY: 'octo-org/service',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_SERVER_URL: 'https://ghes.example.com',
      GITHUB_API_URL: 'https://ghes.example.com/api/v3',
      GITHUB_WORKSPACE: '/home/runner/work/service/service',
      RUNNER_TEMP: '/home/runner/work/_temp',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
    });
    expect(env).toMatchObject({
      owner: 'octo-org',
      repo: 'service',
      runAttempt: 3,
      apiUrl: 'https://ghes.example.com/api/v3',
      runnerTemp: '/home/runner/work/_temp',
    });
    expect(env.runUrl).toBe('https://ghes.example.com/octo-org/service/actions/runs/42/attempts/3');
    const bare = readRunnerEnv({});
    expect(bare).toMatchObject({
      owner: '',
      repo: '',
      sha: '',
      runId: '',
      runAttempt: 1,
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      workspace: process.cwd(),
      runnerTemp: '',
    });
  });

  it('keeps every line a package logs, with its level, for tests', async () => {
    const log = bufferLogger();
    log.info('one');
    log.secret('s3cret');
    const value = await log.group('grouped', async () => {
      log.warning('two');
      return 7;
    });
    expect(value).toBe(7);
    expect(log.lines).toEqual(['info: one', 'group: grouped', 'warning: two', 'endgroup']);
    expect(log.secrets).toEqual(['s3cret']);
  });
});
