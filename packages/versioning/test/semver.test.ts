import { describe, expect, it } from '@jest/globals';
import { compareSemVer, formatSemVer, increment, parseSemVer, type SemVer } from '../src/index.js';

const v = (s: string) => parseSemVer(s) as SemVer;

describe('semver', () => {
  it('parses and formats', () => {
    expect(v('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(v('1.3.0-rc.2')).toEqual({ major: 1, minor: 3, patch: 0, prerelease: ['rc', 2] });
    expect(formatSemVer(v('1.3.0-rc.2+build.5'))).toBe('1.3.0-rc.2');
  });
  it('rejects what is not semver 2.0.0', () => {
    for (const bad of ['1.2', '01.2.3', '1.02.3', '1.2.3-', '1.2.3-01', 'v1.2.3', '1.2.3.4', ''])
      expect(parseSemVer(bad)).toBeUndefined();
  });
  it('orders by precedence (§11)', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
    ];
    const shuffled = [...order].reverse();
    expect(shuffled.map(v).sort(compareSemVer).map(formatSemVer)).toEqual(order);
  });
  it('increments and drops prerelease parts', () => {
    expect(formatSemVer(increment(v('1.2.3'), 'major'))).toBe('2.0.0');
    expect(formatSemVer(increment(v('1.2.3'), 'minor'))).toBe('1.3.0');
    expect(formatSemVer(increment(v('1.2.3-rc.1'), 'patch'))).toBe('1.2.4');
  });
});
