/**
 * A reading is a finite number or no data: answers whose values are null, "", false, [] or
 * malformed (as a broken or hostile metrics endpoint may send) are never read as 0. The
 * answers come from a loopback HTTP server, so the real fetch, timeout and parsing code runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpSource, PrometheusSource, toReading } from '../src/index.js';

let server: Server;
let base = '';
let answer: unknown = {};
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const options = { timeoutMs: 2000, retries: 0, headers: {} };
const vector = (value: unknown) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, value] }] },
});

describe('Prometheus answers', () => {
  it.each([
    ['null', vector(null)],
    ['""', vector('')],
    ['false', vector(false)],
    ['"NaN" (an idle window)', vector('NaN')],
    ['"+Inf"', vector('+Inf')],
    ['" "', vector(' ')],
    ['"0x10"', vector('0x10')],
    ['scalar null', { status: 'success', data: { resultType: 'scalar', result: null } }],
    ['vector item without value', { status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } }],
    ['vector item null', { status: 'success', data: { resultType: 'vector', result: [null] } }],
    ['result not a list', { status: 'success', data: { resultType: 'vector', result: 'x' } }],
    ['empty vector', { status: 'success', data: { resultType: 'vector', result: [] } }],
    ['a JSON null body', 'null'],
  ])('%s is no data, never 0', async (_what, body) => {
    answer = body;
    const r = await new PrometheusSource(base, options).read('sum(rate(x[1m]))');
    expect(r.kind).toBe('no-data');
  });

  it('reads a real number', async () => {
    answer = vector('0.0125');
    expect(await new PrometheusSource(base, options).read('q')).toEqual({ kind: 'value', value: 0.0125 });
    answer = { status: 'success', data: { resultType: 'scalar', result: [1700000000, '3e-2'] } };
    expect(await new PrometheusSource(base, options).read('q')).toEqual({ kind: 'value', value: 0.03 });
  });
});

describe('http check answers', () => {
  it.each([[[]], [' '], [false], [true], [null], [{}], ['12abc'], ['']])('%j at the path is no data', async (value) => {
    answer = { stats: { errorRate: value } };
    expect((await new HttpSource(options).read(`${base}/stats`, '$.stats.errorRate')).kind).toBe('no-data');
  });
  it('a number or a numeric string is a value', async () => {
    answer = { stats: { errorRate: 0.5, p90: '0.25' } };
    expect(await new HttpSource(options).read(`${base}/stats`, '$.stats.errorRate')).toEqual({
      kind: 'value',
      value: 0.5,
    });
    expect(await new HttpSource(options).read(`${base}/stats`, '$.stats.p90')).toEqual({ kind: 'value', value: 0.25 });
  });
  it('toReading names what it got', () => {
    expect(toReading(false, '$.x')).toEqual({ kind: 'no-data', detail: '$.x is false, not a finite number' });
  });
});
