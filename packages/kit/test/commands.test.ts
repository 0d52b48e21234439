/**
 * kit's runner commands against @actions/core, the toolkit the runner's own actions use: the
 * same calls, each in a process of its own as a runner starts an action, must write the same
 * bytes to stdout and to the GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY files (the
 * random heredoc delimiters aside) and leave the same exit code.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');

/** The calls both implementations make; `$` is the module under test. */
const SCRIPT = (module: string, summary: string) => `
import * as $ from ${JSON.stringify(module)};
const tricky = 'a%b\\r\\nc:d,e ::warning::x';
$.info('plain line');
$.debug('debug ' + tricky);
$.warning('careful ' + tricky, { title: 'T:1,2', file: 'src/a.ts', startLine: 3, endLine: 4, startColumn: 5, endColumn: 6 });
$.error('broken', { title: '', file: 'b.ts', startLine: 0 });
$.error(tricky);
$.notice('note', {});
$.setSecret('s3cr%t\\nline');
$.startGroup('group ' + tricky);
$.endGroup();
await $.group('async group', async () => $.info('inside'));
$.setOutput('total', '42');
$.setOutput('multi', 'line 1\\nline 2');
$.saveState('inflight', '{"weight":25}');
process.stdout.write('input=[' + $.getInput('max annotations') + '] [' + $.getInput('missing') + '] state=[' + $.getState('x') + ']\\n');
${summary}
$.setFailed('Tests failed: ' + tricky);
`;

function run(which: 'toolkit' | 'kit') {
  const dir = mkdtempSync(join(tmpdir(), `commands-${which}-`));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STATE: 'state', GITHUB_STEP_SUMMARY: 'summary' };
  for (const f of Object.values(files)) writeFileSync(join(dir, f), '');
  const script = join(dir, 'run.mjs');
  writeFileSync(
    script,
    which === 'toolkit'
      ? SCRIPT(
          join(root, 'node_modules/@actions/core/lib/core.js'),
          "await $.summary.addRaw('## Summary | x', true).write();",
        )
      : SCRIPT(join(root, 'packages/kit/src/commands.ts'), "await $.appendSummary('## Summary | x');"),
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      INPUT_MAX_ANNOTATIONS: '  7  ',
      STATE_x: 'saved',
      ...Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(dir, f)])),
    },
  });
  const delimiters = (s: string) => s.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_<uuid>');
  return {
    status: r.status,
    stderr: r.stderr,
    stdout: r.stdout,
    output: delimiters(readFileSync(join(dir, 'output'), 'utf8')),
    state: delimiters(readFileSync(join(dir, 'state'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
  };
}

describe("kit's runner commands", () => {
  it('write what @actions/core writes, byte for byte', () => {
    const toolkit = run('toolkit');
    const kit = run('kit');
    expect(toolkit.stderr).toBe('');
    expect(kit.stderr).toBe('');
    expect(toolkit.stdout).toContain('::warning title=T%3A1%2C2,file=src/a.ts,line=3,endLine=4,col=5,endColumn=6::');
    expect(toolkit.output).toContain('multi<<ghadelimiter_<uuid>\nline 1\nline 2\nghadelimiter_<uuid>\n');
    expect(kit).toEqual(toolkit);
    expect(kit.status).toBe(1);
  });
});
