// node-tap: subtests with the same names in two parents, unnamed assertions, one failing.
const t = require('tap');
t.test('parser', async (t) => {
  t.test('empty input', async (t) => {
    t.equal(''.length, 0);
    t.ok(true);
  });
  t.test('unicode', async (t) => t.equal('é'.length, 1));
});
t.test('writer', async (t) => {
  t.test('empty input', async (t) => {
    t.equal([''].length, 0);
    t.ok(true);
  });
  t.test('unicode', async (t) => t.equal('é'.length, 1));
});
