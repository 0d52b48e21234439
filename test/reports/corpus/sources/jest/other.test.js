describe('math', () => {
  test('adds', () => expect(0.1 + 0.2).toBe(0.3));
  test('subtracts', () => expect(3 - 1).toBe(2));
});
describe('strings', () => {
  test.each([['a', 1], ['bb', 2], ['ccc', 4]])('length of %s', (s, n) => expect(s.length).toBe(n));
});
