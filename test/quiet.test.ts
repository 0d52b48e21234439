/**
 * Quiet tests: the environment keeps what a test writes to stdout and shows it only when the
 * test fails. Checked by running Jest itself on a passing and a failing test.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/manifest.js';

describe('quiet test environment', () => {
  it('prints what a test wrote only when it fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quiet-'));
    writeFileSync(
      join(dir, 'sample.test.mjs'),
      `import { test, expect } from '@jest/globals';
test('passes', () => { process.stdout.write('::debug::QUIET' + '-PASS\\n'); expect(1).toBe(1); });
test('fails', () => { process.stdout.write('::warning::LOUD' + '-FAIL\\n'); expect(1).toBe(2); });
`,
    );
    writeFileSync(
      join(dir, 'jest.config.mjs'),
      `export default { rootDir: ${JSON.stringify(dir)}, testEnvironment: ${JSON.stringify(join(ROOT, 'test', 'quiet-environment.mjs'))}, transform: {}, testMatch: ['**/*.test.mjs'] };\n`,
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', join(dir, 'jest.config.mjs'), '--ci'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' },
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status).toBe(1);
    expect(out).toContain('1 failed, 1 passed');
    expect(out).toContain('---- output of "fails" (failed) ----\n::warning::LOUD-FAIL');
    expect(out).not.toContain('QUIET-PASS');
  });
});
