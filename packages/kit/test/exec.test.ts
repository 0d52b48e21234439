import { describe, expect, it } from '@jest/globals';
import { ActionError, execChecked, execFile, splitArgs } from '../src/index.js';

describe('splitArgs', () => {
  it('splits on white space', () => {
    expect(splitArgs('npm run build --  --prod')).toEqual(['npm', 'run', 'build', '--', '--prod']);
  });
  it('keeps quoted text together and literal', () => {
    expect(splitArgs(`echo 'a b' "c \\"d\\"" e\\ f`)).toEqual(['echo', 'a b', 'c "d"', 'e f']);
    expect(splitArgs(`x '' ""`)).toEqual(['x', '', '']);
  });
  it('does no shell expansion', () => {
    expect(splitArgs('echo $HOME; rm -rf * | cat')).toEqual(['echo', '$HOME;', 'rm', '-rf', '*', '|', 'cat']);
  });
  it('rejects an unterminated quote', () => {
    expect(() => splitArgs(`echo 'oops`)).toThrow(ActionError);
  });
});

describe('execFile', () => {
  it('runs a program with an argument array and no shell', async () => {
    const r = await execFile('node', ['-e', 'process.stdout.write(process.argv[1])', '$HOME; echo hi'], {
      echo: false,
    });
    expect(r).toEqual({ exitCode: 0, stdout: '$HOME; echo hi', stderr: '' });
  });
  it('reports a non-zero exit without throwing', async () => {
    const r = await execFile('node', ['-e', 'process.exit(3)'], { echo: false });
    expect(r.exitCode).toBe(3);
  });
  it('names a missing program', async () => {
    await expect(execFile('no-such-program-xyz', [])).rejects.toThrow("Command not found: 'no-such-program-xyz'");
  });
  it('execChecked names the step and the last line of output', async () => {
    await expect(
      execChecked('Build', 'node', ['-e', 'console.error("boom"); process.exit(2)'], { echo: false }),
    ).rejects.toThrow(/^Build failed: 'node -e .*' exited with code 2: boom$/);
  });
});
