import { describe, expect, it } from '@jest/globals';
import { redact, urlSecrets } from '../src/index.js';

describe('redact', () => {
  it.each([
    [
      'Prometheus http://admin:s3cret@prom.internal:9090: HTTP 500',
      'Prometheus http://***@prom.internal:9090: HTTP 500',
    ],
    ['https://user@host/x', 'https://***@host/x'],
    [
      'GET https://api.example/stats?api_key=abc123&window=5m failed',
      'GET https://api.example/stats?api_key=***&window=5m failed',
    ],
    ['http://h/q?access_token=x;sig=y&X-Amz-Signature=zz', 'http://h/q?access_token=***;sig=***&X-Amz-Signature=***'],
    ['no url here, key=value stays', 'no url here, key=value stays'],
    ['http://h:9090/api/v1/query?query=sum(rate(x[1m]))', 'http://h:9090/api/v1/query?query=sum(rate(x[1m]))'],
  ])('%s', (input, output) => {
    expect(redact(input)).toBe(output);
  });
  it('finds the secrets of a URL to mask', () => {
    expect(urlSecrets('http://admin:s3cret@prom:9090/?token=t0k&x=1')).toEqual(['s3cret', 'admin:s3cret', 't0k']);
    expect(urlSecrets('not a url')).toEqual([]);
  });
});
