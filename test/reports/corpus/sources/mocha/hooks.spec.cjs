// A failing "before all" hook (mocha reports it as one failure and skips the suite's tests),
// and the same test name under two describe blocks, one failing.
const assert = require('node:assert/strict');
describe('db', function () {
  before(function () {
    throw new Error('cannot connect to the database');
  });
  it('reads', function () {});
  it('writes', function () {});
});
describe('cache', function () {
  it('returns the stored value', function () {});
  it.skip('expires entries', function () {});
});
describe('store', function () {
  it('returns the stored value', function () {
    assert.equal(1, 2);
  });
});
