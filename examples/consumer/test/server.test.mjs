import { it } from 'node:test';
import assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

it('builds the service into dist/', () => {
  rmSync('dist', { recursive: true, force: true });
  execFileSync(process.execPath, ['build.mjs']);
  assert.ok(existsSync('dist/server.mjs'));
  assert.ok(existsSync('dist/build-info.json'));
});
