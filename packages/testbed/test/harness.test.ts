import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { inputEnvName, parseKeyValueFile, parseStdoutCommands, runAction } from '../src/index.js';

const probe = join(import.meta.dirname, 'fixtures', 'probe');

describe('runner-contract harness', () => {
  it('names inputs as the runner does', () => {
    expect(inputEnvName('dry-run')).toBe('INPUT_DRY-RUN');
    expect(inputEnvName('my input')).toBe('INPUT_MY_INPUT');
  });

  it('runs an action with inputs, defaults from action.yml, file commands and stdout commands', async () => {
    const r = await runAction({
      action: probe,
      inputs: { mode: 'normal' },
      token: 'ghs_secret',
      event: { name: 'push', payload: { after: 'abc' } },
    });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.inputs as string)).toEqual({
      INPUT_MODE: 'normal',
      'INPUT_DASH-NAME': 'dash default',
      INPUT_TOKEN: 'ghs_secret',
    });
    expect(r.outputs.multi).toBe('line one\nline two');
    expect(JSON.parse(r.outputs.event as string)).toEqual({ after: 'abc' });
    expect(r.env).toEqual({ PROBE_VAR: 'exported' });
    expect(r.path).toEqual(['/opt/probe/bin']);
    expect(r.state).toEqual({ mode: 'normal' });
    expect(r.summary).toContain('<h1>probe ran</h1>');
    expect(r.masks).toEqual(['ghs_secret']);
    expect(r.annotations).toEqual([{ level: 'warning', message: 'careful, 50% done', file: 'src/a.ts', line: 3 }]);
    expect(r.post?.exitCode).toBe(0);
    expect(r.post?.summary).toBe('post saw mode=normal signal=none');
  });

  it('reports a failure and still runs an always() post step', async () => {
    const r = await runAction({ action: probe, inputs: { mode: 'fail' } });
    expect(r.exitCode).toBe(1);
    expect(r.error).toBe('probe failed on purpose');
    expect(r.post?.outputs).toEqual({ post: 'ran' });
  });

  it('cancels like the runner: SIGINT first, the post step runs with the saved state', async () => {
    const r = await runAction({ action: probe, inputs: { mode: 'trap' }, cancelAfterMs: 500 });
    expect(r.cancelled).toBe(true);
    expect(r.exitCode).toBe(130);
    expect(r.durationMs).toBeLessThan(5000);
    expect(r.post?.summary).toBe('post saw mode=trap signal=SIGINT');
  });

  it('escalates to SIGTERM after 7.5 s and SIGKILL 2.5 s later', async () => {
    const r = await runAction({ action: probe, inputs: { mode: 'stubborn' }, cancelAfterMs: 1000 });
    expect(r.signal).toBe('SIGKILL');
    expect(r.durationMs).toBeGreaterThanOrEqual(11_000);
    expect(r.state.signal).toBe('SIGTERM');
  }, 30_000);
});

describe('file and stdout command parsing', () => {
  it('reads heredoc and key=value lines', () => {
    expect(parseKeyValueFile('a=1\nb<<EOF\nx\ny\nEOF\nc=d=e\n')).toEqual({ a: '1', b: 'x\ny', c: 'd=e' });
    expect(() => parseKeyValueFile('b<<EOF\nnever closed')).toThrow(/Matching delimiter not found/);
  });
  it('unescapes annotation properties and data', () => {
    const r = parseStdoutCommands('::error file=a%2Cb.ts,line=7,title=T%3A1::bad%0Aline\nplain\n::add-mask::s3cr3t');
    expect(r.annotations).toEqual([{ level: 'error', message: 'bad\nline', file: 'a,b.ts', line: 7, title: 'T:1' }]);
    expect(r.masks).toEqual(['s3cr3t']);
    expect(r.log).toEqual(['plain']);
  });
});
