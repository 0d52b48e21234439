import { describe, expect, it } from '@jest/globals';
import { changesOf, parseMessage } from '../src/index.js';

const sha = 'a'.repeat(40);

describe('parseMessage', () => {
  it('reads type, scope and subject', () => {
    expect(parseMessage(sha, 'feat(api): add /health')).toEqual({ sha, type: 'feat', scope: 'api', subject: 'add /health', breaking: false, breakingNotes: [] });
    expect(parseMessage(sha, 'fix: crash')?.scope).toBeUndefined();
    expect(parseMessage(sha, 'Feat: capitalised type')?.type).toBe('feat');
  });
  it('marks breaking changes by ! and by footer', () => {
    expect(parseMessage(sha, 'feat(api)!: drop v1')).toMatchObject({ breaking: true, breakingNotes: ['drop v1'] });
    expect(parseMessage(sha, 'refactor!: rename')).toMatchObject({ type: 'refactor', breaking: true });
    const footer = parseMessage(sha, 'fix: x\n\nbody text\n\nBREAKING CHANGE: the config moved\nto a new file\nRefs: #12');
    expect(footer).toMatchObject({ breaking: true, breakingNotes: ['the config moved\nto a new file'] });
    expect(parseMessage(sha, 'fix: x\n\nBREAKING-CHANGE: hyphen form')).toMatchObject({ breaking: true });
    expect(parseMessage(sha, 'fix: x\n\nThis is not a BREAKING CHANGE: mid-line')).toMatchObject({ breaking: false });
  });
  it('ignores what is not conventional', () => {
    for (const m of ['Update README', 'feat:no space', 'feat : space before', ': nothing', 'feat(): empty scope?']) {
      const c = parseMessage(sha, m);
      if (m === 'feat(): empty scope?') expect(c?.scope).toBeUndefined();
      else expect(c).toBeUndefined();
    }
  });
  it('reads reverts and the sha they revert', () => {
    expect(parseMessage(sha, 'Revert "feat(api): add x"\n\nThis reverts commit 1234567890abcdef.')).toMatchObject({
      type: 'revert',
      subject: 'api: add x',
      reverts: '1234567890abcdef',
    });
  });
});

describe('changesOf', () => {
  it('gives nothing for merge commits', () => {
    expect(changesOf({ sha, message: 'Merge pull request #3 from a/b\n\nfeat: x', parents: 2 })).toEqual([]);
    expect(changesOf({ sha, message: "Merge branch 'main' into x" })).toEqual([]);
  });
  it('reads a squash-merge body commit by commit', () => {
    const message = 'Add health endpoints (#42)\n\n* feat(api): add /health\n\n* fix(api): handle HEAD\n  with a body line\n\n* docs: explain\n\nBREAKING CHANGE: old /status removed';
    const changes = changesOf({ sha, message });
    expect(changes.map((c) => `${c.type}:${c.subject}`)).toEqual(['feat:add /health', 'fix:handle HEAD', 'docs:explain']);
    expect(changes.some((c) => c.breaking)).toBe(true);
  });
  it('keeps a squash header that is itself conventional once', () => {
    const changes = changesOf({ sha, message: 'feat: big thing (#7)\n\n* fix: part one\n* feat: big thing (#7)' });
    expect(changes.map((c) => c.type)).toEqual(['fix', 'feat']);
  });
});
