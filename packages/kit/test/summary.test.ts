import { describe, expect, it } from '@jest/globals';
import { ActionError, InputError, errorLine, fitToBytes, table } from '../src/index.js';

describe('summary', () => {
  it('renders a table with escaped cells', () => {
    expect(
      table(
        ['a', 'b'],
        [
          ['x|y', 'line1\nline2'],
          [1, 2],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| x\\|y | line1<br>line2 |\n| 1 | 2 |\n');
  });
  it('fits markdown to a byte limit on line boundaries and says what was cut', () => {
    const md = Array.from({ length: 1000 }, (_, i) => `line ${i} é`).join('\n');
    const out = fitToBytes(md, 2000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(2000);
    expect(out).toMatch(/_… \d+ more lines left out to stay under the job summary limit._/);
    expect(out.startsWith('line 0 é\nline 1 é\n')).toBe(true);
    expect(fitToBytes('short', 2000)).toBe('short');
  });
});

describe('errorLine', () => {
  it('gives one line for every kind of error', () => {
    expect(errorLine(new InputError('steps', 'numbers'))).toBe("Input 'steps': expected numbers.");
    expect(errorLine(new ActionError('Tag failed'))).toBe('Tag failed');
    expect(errorLine(Object.assign(new Error('Not Found\nmore'), { status: 404 }))).toBe('HTTP 404: Not Found');
    expect(errorLine('text')).toBe('text');
  });
});
