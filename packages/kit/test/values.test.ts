import { describe, expect, it } from '@jest/globals';
import { checkValue, isValid, promqlString } from '../src/index.js';

describe('one validator for versions and addresses', () => {
  it.each(['1.3.0', '2.0.0-rc.1', 'v1.2.3', '1.0.0+build.7', 'release_2026.11'])('version %s passes', (v) => {
    expect(isValid('version', v)).toBe(true);
  });
  it.each([
    '1.0.0\nserver { listen 80; }',
    '--force',
    '-x',
    '',
    ' 1.0',
    '1.0"}',
    '1.0;',
    'a'.repeat(200),
    '1.0\u2028x',
    '../1.0',
  ])('version %j is refused', (v) => {
    expect(isValid('version', v)).toBe(false);
  });
  it.each(['127.0.0.1:8080', 'app-v2:80', '[::1]:9000', 'unix:/run/app.sock', 'svc.internal.example:65535'])(
    'address %s passes',
    (a) => {
      expect(isValid('address', a)).toBe(true);
    },
  );
  it.each([
    '127.0.0.1',
    'evil.example:80; server attacker:80',
    'host:0',
    'host:65536',
    'host:80\n',
    '-host:80',
    'http://x:80',
  ])('address %j is refused', (a) => {
    expect(isValid('address', a)).toBe(false);
  });
  it('names where a bad value came from', () => {
    expect(() => checkValue('version', 'x\ny', 'deployment 7 stable')).toThrow(
      /^deployment 7 stable is not a version such as 1.3.0/,
    );
  });
  it('escapes a PromQL string literal', () => {
    expect(promqlString('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});
