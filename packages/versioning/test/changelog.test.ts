import { describe, expect, it } from '@jest/globals';
import { parseMessage, renderChangelog, type Change } from '../src/index.js';

const ch = (i: number, m: string) => parseMessage(String(i).repeat(40).slice(0, 40), m) as Change;

describe('renderChangelog', () => {
  it('groups by type with scopes, short shas, links and breaking notes', () => {
    const md = renderChangelog(
      [
        ch(1, 'feat(api): add /health'),
        ch(2, 'fix: crash on empty body'),
        ch(3, 'feat!: drop node 18'),
        ch(4, 'docs: readme'),
        ch(5, 'perf(db): faster query'),
      ],
      {
        version: '2.0.0',
        tag: 'v2.0.0',
        previousTag: 'v1.4.0',
        repoUrl: 'https://github.com/o/r',
        date: new Date('2026-01-02T00:00:00Z'),
      },
    );
    expect(md).toBe(
      [
        '## [2.0.0](https://github.com/o/r/compare/v1.4.0...v2.0.0) (2026-01-02)',
        '',
        '### ⚠ Breaking Changes',
        '',
        '- drop node 18 (3333333)',
        '',
        '### Features',
        '',
        '- **api:** add /health ([1111111](https://github.com/o/r/commit/1111111111111111111111111111111111111111))',
        '- drop node 18 ([3333333](https://github.com/o/r/commit/3333333333333333333333333333333333333333))',
        '',
        '### Bug Fixes',
        '',
        '- crash on empty body ([2222222](https://github.com/o/r/commit/2222222222222222222222222222222222222222))',
        '',
        '### Performance',
        '',
        '- **db:** faster query ([5555555](https://github.com/o/r/commit/5555555555555555555555555555555555555555))',
        '',
      ].join('\n'),
    );
  });
  it('shows configured types and leaves out the rest', () => {
    const md = renderChangelog([ch(1, 'refactor: tidy'), ch(2, 'chore: deps')], {
      version: '1.0.1',
      tag: 'v1.0.1',
      extraTypes: ['refactor'],
    });
    expect(md).toContain('### Refactoring\n\n- tidy (1111111)');
    expect(md).not.toContain('deps');
  });
});
