// The same `it` name under two describe blocks; the second one fails.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

describe('parser', () => {
  it('handles empty input', () => assert.equal(''.length, 0));
  it('is skipped', { skip: 'not yet' }, () => {});
});
describe('writer', () => {
  it('handles empty input', () => assert.equal([''].length, 0));
  it('is a todo', { todo: true }, () => {});
  describe('nested', () => {
    it('handles empty input', () => assert.ok(true));
  });
});
