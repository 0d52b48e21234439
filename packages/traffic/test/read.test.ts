/** The read-back contract of the command and http providers: JSON routes, nothing else taken as an answer. */
import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommandProvider, HttpProvider, parseRoutes } from '../src/index.js';

describe('parseRoutes', () => {
  it('reads {"routes": [...]} and the array alone, by address, version or both', () => {
    expect(
      parseRoutes(
        '{"routes":[{"address":"10.0.0.5:8081","version":"1.0.0","weight":75},{"version":"1.1.0","weight":25}]}',
        'x',
      ),
    ).toEqual([
      { address: '10.0.0.5:8081', version: '1.0.0', weight: 75 },
      { version: '1.1.0', weight: 25 },
    ]);
    expect(parseRoutes('[{"address":"a:1","weight":100}]', 'x')).toEqual([{ address: 'a:1', weight: 100 }]);
    expect(parseRoutes('{"routes":[]}', 'x')).toEqual([]);
  });

  it.each([
    ['', /^src did not answer JSON routes: ""/],
    ['ok', /^src did not answer JSON routes: "ok"/],
    ['{"backends":[]}', /^src answered no "routes" array/],
    ['[{"address":"a:1","weight":"100"}]', /^src: routes\[0\]\.weight is "100", not a number from 0 to 100/],
    ['[{"address":"a:1","weight":null}]', /^src: routes\[0\]\.weight is null/],
    ['[{"address":"a:1","weight":101}]', /^src: routes\[0\]\.weight is 101/],
    ['[{"weight":100}]', /^src: routes\[0\] names neither an address nor a version/],
    ['[{"version":1,"weight":100}]', /^src: routes\[0\]\.version is 1, not a string/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRoutes(text, 'src')).toThrow(message);
  });
});

describe('CommandProvider.routes', () => {
  it('runs the read command without a shell and parses what it prints', async () => {
    const p = new CommandProvider(
      ['true'],
      ['node', '-e', 'console.log(JSON.stringify({routes:[{version:"1.0.0",weight:100}]}))'],
    );
    expect(await p.routes()).toEqual([{ version: '1.0.0', weight: 100 }]);
  });

  it('says which command failed and its last line', async () => {
    const p = new CommandProvider(['true'], ['node', '-e', 'console.error("router down"); process.exit(3)']);
    await expect(p.routes()).rejects.toThrow(/^traffic-read-command 'node -e .*' exited with code 3: router down$/);
  });
});

describe('HttpProvider over a loopback API', () => {
  async function api(
    answer: (body: string) => { status: number; text: string },
  ): Promise<{ url: string; server: Server; posted: string[] }> {
    const posted: string[] = [];
    let last = '';
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method === 'POST') {
          posted.push(body);
          last = body;
          res.writeHead(204).end();
          return;
        }
        const a = answer(last);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/split`, server, posted };
  }

  it('reads back with a GET of the URL it POSTs to', async () => {
    // The API answers what it was last told, in the routes shape.
    const { url, server, posted } = await api((body) => {
      const b = JSON.parse(body) as Record<'canary' | 'stable', { version: string; weight: number }>;
      return { status: 200, text: JSON.stringify({ routes: [b.stable, b.canary].filter((r) => r.weight > 0) }) };
    });
    try {
      const p = new HttpProvider(url);
      await p.setSplit({ stable: { version: '1.0.0' }, canary: { version: '1.1.0' }, canaryWeight: 25 });
      expect(posted).toHaveLength(1);
      expect(await p.routes()).toEqual([
        { version: '1.0.0', weight: 75 },
        { version: '1.1.0', weight: 25 },
      ]);
    } finally {
      server.close();
    }
  });

  it('an endpoint that refuses GET is an error, not a confirmation', async () => {
    const { url, server } = await api(() => ({ status: 405, text: '' }));
    try {
      await expect(new HttpProvider(url).routes()).rejects.toThrow(/answered 405 to GET \(reading the split\)/);
    } finally {
      server.close();
    }
  });
});
