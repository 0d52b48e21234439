// tape: assertions with tape's default messages ("should be strictly equal"), one failing.
const test = require('tape');
test('arithmetic', (t) => {
  t.equal(1 + 1, 2);
  t.equal(2 * 2, 4);
  t.equal(0.1 + 0.2, 0.3);
  t.end();
});
test('strings', (t) => {
  t.equal('a'.repeat(2), 'aa');
  t.ok(true);
  t.skip('not yet');
  t.end();
});
