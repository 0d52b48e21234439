import { describe, expect, it } from '@jest/globals';
import { frames, locate } from '../src/index.js';

const ws = '/home/runner/work/app/app';

describe('failure locator', () => {
  it.each([
    [
      'node',
      `AssertionError: 2 == 1\n    at TestContext.<anonymous> (file://${ws}/test/math.test.mjs:5:42)\n    at node:internal/test_runner/test:796:25`,
      'test/math.test.mjs',
      5,
    ],
    [
      'jest',
      `Error: expect(received).toBe(expected)\n    at Object.toBe (${ws}/src/sum.test.js:3:27)\n    at Promise.then.completed (${ws}/node_modules/jest-circus/build/utils.js:298:28)`,
      'src/sum.test.js',
      3,
    ],
    [
      'pytest',
      "def test_get(self):\n>       assert {'id': 1}['id'] == 2\nE       assert 1 == 2\n\ntests/test_api.py:22: AssertionError",
      'tests/test_api.py',
      22,
    ],
    ['go', '    calc_test.go:14: Add(1, 2) = 4; want 3', 'calc_test.go', 14],
    ['relative', 'at ./lib/parse.ts:88:1', 'lib/parse.ts', 88],
  ])('%s stack frames', (_runner, details, file, line) => {
    expect(locate({ classname: 'c', name: 'n', outcome: 'failure', details }, ws)).toEqual({ file, line });
  });

  it('skips frames outside the workspace and in node_modules', () => {
    const details = `at x (/usr/lib/node.js:1:1)\n at y (${ws}/node_modules/a/b.js:2:2)\n at z (${ws}/src/c.ts:3:3)`;
    expect(locate({ classname: '', name: 'n', outcome: 'error', details }, ws)).toEqual({ file: 'src/c.ts', line: 3 });
  });

  it('is linear: a 60 KB token without a path, or one made of colons and digits, yields nothing', () => {
    const hex = 'deadbeef'.repeat(7680);
    expect([...frames(hex)]).toEqual([]);
    expect([...frames(':1'.repeat(30000))]).toEqual([]);
    const many = Array.from({ length: 50 }, () => ({
      classname: '',
      name: 'n',
      outcome: 'failure' as const,
      details: `dump ${hex} at src/a.ts:7`,
    }));
    expect(many.map((f) => locate(f, ws))).toEqual(many.map(() => ({ file: 'src/a.ts', line: 7 })));
  });
});
