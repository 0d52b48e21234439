import { describe, expect, it } from '@jest/globals';
import { InputError, Inputs, formatDuration, parseDuration, parsePercentages } from '../src/index.js';

const from = (values: Record<string, string>) => new Inputs((name) => values[name] ?? '');

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('Inputs', () => {
  it('reads strings, trims them and applies defaults', () => {
    const inputs = from({ name: '  api  ' });
    expect(inputs.string('name')).toBe('api');
    expect(inputs.string('missing', { default: 'x' })).toBe('x');
    expect(inputs.string('missing')).toBe('');
  });

  it('gives an empty input its action.yml default, unless empty is a value of its own', () => {
    const defaults = { samples: '5', 'tag-prefix': 'v', mode: 'run' };
    const inputs = new Inputs((name) => ({ samples: '', 'tag-prefix': '', mode: 'start' })[name] ?? '', defaults);
    expect(inputs.integer('samples', { min: 1 })).toBe(5);
    expect(inputs.oneOf('mode', ['run', 'start'])).toBe('start');
    expect(inputs.raw('unknown')).toBe('');
    expect(inputs.string('tag-prefix', { emptyIsValue: true })).toBe('');
    expect(inputs.string('tag-prefix')).toBe('v');
  });

  it('names a missing required input', () => {
    const e = errorOf(() => from({}).string('environment', { required: true }));
    expect(e.input).toBe('environment');
    expect(e.message).toBe("Input 'environment': expected a value (this input is required).");
  });

  it('checks a pattern and quotes the bad value', () => {
    const e = errorOf(() => from({ p: 'a b' }).string('p', { pattern: { regex: /^\S+$/, description: 'no spaces' } }));
    expect(e.message).toBe(`Input 'p': expected no spaces (got "a b").`);
  });

  it('accepts the YAML 1.2 booleans the runner accepts and nothing else', () => {
    for (const t of ['true', 'True', 'TRUE']) expect(from({ b: t }).boolean('b')).toBe(true);
    for (const f of ['false', 'False', 'FALSE']) expect(from({ b: f }).boolean('b')).toBe(false);
    expect(from({}).boolean('b', true)).toBe(true);
    expect(errorOf(() => from({ b: 'yes' }).boolean('b')).message).toBe(
      `Input 'b': expected true or false (got "yes").`,
    );
  });

  it('reads integers within a range', () => {
    expect(from({ n: '10' }).integer('n', { min: 1, max: 50 })).toBe(10);
    expect(from({}).integer('n', { default: 3 })).toBe(3);
    expect(errorOf(() => from({ n: '51' }).integer('n', { min: 1, max: 50 })).message).toBe(
      `Input 'n': expected a whole number from 1 to 50 (got "51").`,
    );
    expect(() => from({ n: '1.5' }).integer('n')).toThrow(InputError);
    expect(() => from({ n: '' }).integer('n')).toThrow(InputError);
    expect(errorOf(() => from({ n: '-1' }).integer('n', { min: 0 })).message).toContain('of at least 0');
  });

  it('reads decimal numbers', () => {
    expect(from({ n: '0.05' }).number('n', { min: 0 })).toBe(0.05);
    expect(() => from({ n: 'abc' }).number('n')).toThrow(/expected a number/);
  });

  it('reads one of a set', () => {
    expect(from({ m: 'start' }).oneOf('m', ['run', 'start'] as const)).toBe('start');
    expect(from({}).oneOf('m', ['run', 'start'] as const, 'run')).toBe('run');
    expect(errorOf(() => from({ m: 'go' }).oneOf('m', ['run', 'start'])).message).toBe(
      `Input 'm': expected one of run, start (got "go").`,
    );
  });

  it('reads lists separated by commas or newlines', () => {
    expect(from({ l: 'a, b\nc,,\n' }).list('l')).toEqual(['a', 'b', 'c']);
    expect(from({ l: 'a,b\nc' }).list('l', { separator: /\n/ })).toEqual(['a,b', 'c']);
    expect(() => from({}).list('l', { required: true })).toThrow(/at least one item/);
  });

  it('reads durations', () => {
    expect(from({ d: '30s' }).duration('d')).toBe(30_000);
    expect(from({ d: '5m' }).duration('d')).toBe(300_000);
    expect(from({}).duration('d', '1h')).toBe(3_600_000);
    expect(from({ d: '250ms' }).duration('d')).toBe(250);
    // Zero only where the caller allows it (wait-timeout: 0 fails at once).
    for (const zero of ['0', '0s', '0m', '00ms'])
      expect(from({ d: zero }).duration('d', '30m', { allowZero: true })).toBe(0);
    expect(() => from({ d: '0' }).duration('d')).toThrow(InputError);
    expect(() => from({ d: '0x' }).duration('d', '30m', { allowZero: true })).toThrow(InputError);
    expect(from({ d: '1.5s' }).duration('d')).toBe(1500);
    for (const bad of ['30', 's', '0s', '-5s', '5 minutes']) {
      expect(errorOf(() => from({ d: bad }).duration('d')).message).toContain('a duration such as 30s');
    }
  });

  it('reads percentage steps', () => {
    expect(from({ s: '5,25,50,100' }).percentages('s')).toEqual([5, 25, 50, 100]);
    expect(from({ s: '10%, 100%' }).percentages('s')).toEqual([10, 100]);
    expect(from({}).percentages('s', '100')).toEqual([100]);
    for (const bad of ['50,25,100', '5,25,50', '0,100', '5,150', 'a,100', '5,5,100']) {
      expect(errorOf(() => from({ s: bad }).percentages('s')).input).toBe('s');
    }
  });
});

describe('pure parsers', () => {
  it('round-trips durations', () => {
    for (const d of ['30s', '5m', '2h', '250ms']) expect(formatDuration(parseDuration(d) as number)).toBe(d);
  });
  it('rejects empty percentage lists', () => {
    expect(parsePercentages('')).toBeUndefined();
  });
});
