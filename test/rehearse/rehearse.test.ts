/**
 * `npm run rehearse` as an adopter runs it: the command on a repository of their own (a git
 * work tree with its own history, a plan not yet committed, the suite pinned by tag), the road
 * it prints, and what GitHub would refuse reported as failed runs with GitHub's reason.
 */
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, git, hasBinary } from '@rollgate/testbed';

interface CliResult {
  code: number;
  out: string;
  err: string;
  /** What went wrong around the command: its deadline passed, or a process it started outlived it. */
  trouble?: string;
}

/**
 * The command as a user runs it (npm's script runs tsx on rehearse/cli.ts), its exit code and
 * output. It runs in a process group of its own: past `deadlineMs` the group is interrupted as
 * a terminal's Ctrl-C would (the rehearsal stops what it started), then killed, and the output
 * so far is returned with the reason, so a slow run fails with what it printed. A process of the
 * rehearsal that still holds its output after it exited is reported too.
 */
function rehearseCli(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; deadlineMs?: number; interruptWhen?: () => boolean } = {},
) {
  const { env = process.env, deadlineMs = 240_000 } = o;
  return new Promise<CliResult>((done) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['rehearse/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    let trouble: string | undefined;
    const timers: NodeJS.Timeout[] = [];
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        /* the group has ended */
      }
    };
    let ended = false;
    const finish = (code: number | null) => {
      if (ended) return;
      ended = true;
      for (const t of timers) clearTimeout(t);
      done({ code: code ?? 1, out, err, ...(trouble ? { trouble } : {}) });
    };
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    if (o.interruptWhen) {
      // Ctrl-C in a terminal: SIGINT to the whole foreground group.
      const poll = setInterval(() => {
        if (!o.interruptWhen?.()) return;
        clearInterval(poll);
        group('SIGINT');
      }, 200);
      timers.push(poll);
    }
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    timers.push(
      setTimeout(() => {
        trouble = `no exit after ${deadlineMs / 1000} s: interrupted`;
        group('SIGINT');
        timers.push(setTimeout(() => group('SIGKILL'), 30_000));
      }, deadlineMs),
    );
    child.on('close', (code) => finish(code));
    child.on('exit', (code) =>
      timers.push(
        setTimeout(() => {
          trouble ??= 'exited, but a process it started still holds its output';
          group('SIGKILL');
          finish(code);
        }, 15_000),
      ),
    );
  });
}

/** Commits everything in `dir` as the adopter does. */
function commitAsAda(dir: string, message: string): void {
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '-q', '--allow-empty', '-m', message]);
}

/** A repository of the user's own: a first commit of theirs, then `uncommitted` files on top. */
function userRepository(uncommitted: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'adopter-'));
  git(dir, ['init', '-q', '-b', 'main']);
  commitAsAda(dir, 'feat: first version');
  for (const [path, text] of Object.entries(uncommitted)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const workflow = (text: string) => `${text.trim()}\n`;
const serversInstalled = ['nginx', 'prometheus', 'python3'].every(hasBinary);

describe('npm run rehearse', () => {
  (serversInstalled ? it : it.skip)(
    "rehearses the Python adopter's own repository in one command: releases, a bad canary stopped, rollback, the gate",
    async () => {
      const example = join(REPO_ROOT, 'examples', 'python-consumer');
      // Pinned by tag, as an adopter may: the rehearsal pins it at the suite's snapshot.
      const dir = userRepository();
      for (const entry of readdirSync(example))
        if (entry !== 'rehearsal.yml') cpSync(join(example, entry), join(dir, entry), { recursive: true });
      const workflows = join(dir, '.github', 'workflows');
      for (const f of readdirSync(workflows))
        writeFileSync(join(workflows, f), readFileSync(join(workflows, f), 'utf8').replace(/@0{40}/g, '@v1'));
      commitAsAda(dir, 'ci: deliver with rollgate');
      writeFileSync(join(dir, 'rehearsal.yml'), readFileSync(join(example, 'rehearsal.yml'), 'utf8'));
      const head = git(dir, ['rev-parse', 'HEAD']);
      try {
        const { code, out, err, trouble } = await rehearseCli([dir], { deadlineMs: 480_000 });
        expect({ code, err, trouble, tail: out.slice(-4000) }).toEqual({
          code: 0,
          err: '',
          trouble: undefined,
          tail: expect.any(String),
        });
        expect(out).toContain(`${dir}: HEAD ${head.slice(0, 12)} and 1 uncommitted change(s)`);
        expect(out).toMatch(/3 uses of rollgate\/rollgate pinned at the suite's snapshot [0-9a-f]{12}/);
        const road = out.slice(out.lastIndexOf('● commit: feat: the service answers with its version'));
        const lines = road.split('\n').map((l) => l.replace(/^\[\s*[\d.]+s\] /, ''));
        expect(lines).toEqual(
          expect.arrayContaining([
            '✔ deliver v0.1.0 into blue: success',
            '    job deliver: success (tag v0.1.0, version 0.1.0, canary-outcome promoted)',
            '✔ deliver v0.1.2, a bad release its canary stops: failure',
            '✔ roll back to v0.1.0: success',
            '    job gate: success (outcome promoted, weight 100)',
            '    split: 0.1.3 100%',
            '✔ every step ended as the plan expects',
          ]),
        );
        // The split after each run, read from the nginx the rehearsal started.
        expect(road).toMatch(
          /deliver v0\.1\.3, paused for the manual gate: success\n.*\n.*split: 0\.1\.0 75%, 0\.1\.3 25%/,
        );
        expect(road).toMatch(/roll back to v0\.1\.0: success\n.*\n.*split: 0\.1\.0 100%/);
        expect(road).toMatch(/#\d+ production 0\.1\.2 \(canary\): in_progress → .*failure/);
        // Why the bad release's run failed, from the job of the workflow its job called.
        expect(lines.join('\n')).toMatch(
          /\n {6}✘ deliver \/ canary: canary: Canary 0\.1\.2 aborted: error-rate [\d.]+ > max 0\.05\./,
        );
        expect(road).toContain('0 request(s) refused for permissions; 0 refused by a rate limit');
        // The user's repository is only read.
        expect(git(dir, ['rev-parse', 'HEAD'])).toBe(head);
        expect(git(dir, ['status', '--porcelain'])).toBe('?? rehearsal.yml');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    600_000,
  );

  it("reports what GitHub refuses as failed runs with GitHub's reason, and keeps the runner's environment to itself", async () => {
    const plan = `
steps:
  - name: a caller granting too little
    push: deliver.yml
    expect: failure
  - name: an input the workflow does not declare
    dispatch: hello.yml
    inputs: { greeting: hi, channel: beta }
    expect: failure
  - name: a remote action the local runner has no equivalent of
    dispatch: docker.yml
    expect: failure
  - name: what reaches a command
    dispatch: hello.yml
    inputs: { greeting: hi }
  - name: a run the plan expects to succeed, refused
    dispatch: hello.yml
`;
    const dir = userRepository({
      'rehearsal.yml': plan,
      '.github/workflows/deliver.yml': workflow(`
on: push
permissions: {}
jobs:
  deliver:
    permissions: { contents: read }
    uses: rollgate/rollgate/.github/workflows/pipeline.yml@v1
    with: { build-command: 'true', outputs: README.md }
`),
      '.github/workflows/hello.yml': workflow(`
on:
  workflow_dispatch:
    inputs:
      greeting: { type: string, required: true }
permissions: {}
jobs:
  hello:
    runs-on: windows-latest
    steps:
      - run: echo "names $(env | cut -d= -f1 | grep -v '^GITHUB_' | sort | tr '\\n' ' ')"
`),
      '.github/workflows/docker.yml': workflow(`
on: workflow_dispatch
permissions: {}
jobs:
  login:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@0123456789012345678901234567890123456789
`),
    });
    try {
      const { code, out, err, trouble } = await rehearseCli([dir], {
        env: { ...process.env, SECRET_OF_THE_SHELL: 'x', INIT_CWD: '' },
      });
      expect({ code, err, trouble, out }).toEqual({ code: 1, err: '', trouble: undefined, out: expect.any(String) });
      // The pin (a tag here) is the suite's snapshot by the time GitHub's check reads it.
      expect(out).toMatch(
        /\n.* {4}refused: Error calling workflow 'rollgate\/rollgate\/\.github\/workflows\/pipeline\.yml@[0-9a-f]{40}'\. The nested job 'release' is requesting 'contents: write', but is only allowed 'contents: read'\.\n/,
      );
      expect(out).toContain('    refused: Unexpected inputs provided: ["channel"]');
      expect(out).toMatch(
        /✘ docker\/login-action@0{0}[0-9a-f]{40}: remote action docker\/login-action has no local equivalent in the workflow runner \(supported: actions\/checkout, /,
      );
      expect(out).toContain('✘ a run the plan expects to succeed, refused: failure (expected success)');
      expect(out).toContain("    refused: Required input 'greeting' not provided");
      expect(out).toContain('✘ 1 step(s) did not end as the plan expects');
      // Commands get PATH and HOME from the machine, the runner's own variables, nothing else of the shell.
      const names = /names (.*)$/m.exec(out)?.[1]?.trim().split(' ');
      expect(names).toEqual(expect.arrayContaining(['CI', 'HOME', 'PATH', 'RUNNER_TEMP']));
      expect(names).not.toContain('SECRET_OF_THE_SHELL');
      expect(out).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('stops a plan it cannot use with one line before anything starts', async () => {
    const dir = userRepository({ 'rehearsal.yml': 'steps:\n  - dispatch: missing.yml\n' });
    try {
      const missing = await rehearseCli([dir], { deadlineMs: 60_000 });
      expect(missing.code).toBe(2);
      expect(missing.out).not.toContain('▶');
      expect(missing.err.trim().split('\n')).toEqual([
        `rehearse: ${join(dir, 'rehearsal.yml')}: steps[0].dispatch: .github/workflows/missing.yml is not in the repository`,
      ]);
      const none = await rehearseCli([join(dir, 'nowhere')], { deadlineMs: 30_000 });
      expect(none.err.trim()).toBe(`rehearse: repository: ${join(dir, 'nowhere')} does not exist`);
      expect(none.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
  it("holds a job at its environment's reviewers and wait timer: the plan's review approves it, none rejects it", async () => {
    const dir = userRepository({
      'rehearsal.yml': `
vars: { WHERE: repository }
environments:
  production:
    reviewers: [release-manager]
    wait-timer: 2
    vars: { WHERE: production }
steps:
  - name: approved
    dispatch: ship.yml
    review: approved
  - name: no review given
    dispatch: ship.yml
    expect: failure
`,
      '.github/workflows/ship.yml': workflow(`
on: workflow_dispatch
permissions: {}
jobs:
  ship:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - env: { WHERE: '\${{ vars.WHERE }}' }
        run: echo "shipped to $WHERE"
`),
    });
    try {
      const started = Date.now();
      const { code, out, err, trouble } = await rehearseCli([dir], { deadlineMs: 80_000 });
      expect({ code, err, trouble, out }).toEqual({ code: 0, err: '', trouble: undefined, out: expect.any(String) });
      expect(out).toContain('waiting for the protection rules of production');
      expect(out).toContain('✔ production: approved by release-manager (approved by the rehearsal)');
      expect(out).toContain('shipped to production');
      expect(out).toContain(
        '✘ job ship: The deployment to production was rejected by release-manager: no review in the rehearsal plan.',
      );
      // Two wait timers of two rehearsal minutes (a second each) were kept.
      expect(Date.now() - started).toBeGreaterThan(4000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('on Ctrl-C stops what it started (the traffic layer, the deploys by their pids) and removes its folders', async () => {
    const mark = join(mkdtempSync(join(tmpdir(), 'rehearse-mark-')), 'deployed');
    const dir = userRepository({
      'rehearsal.yml': `
serve: router
addresses: 1
vars: { PIDS: '{{pids}}', SCRATCH: '{{scratch}}', SERVED: '{{serve.address}}', MARK: '${mark}' }
steps:
  - dispatch: deploy.yml
`,
      '.github/workflows/deploy.yml': workflow(`
on: workflow_dispatch
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - env:
          { PIDS: '\${{ vars.PIDS }}', SCRATCH: '\${{ vars.SCRATCH }}', SERVED: '\${{ vars.SERVED }}', MARK: '\${{ vars.MARK }}' }
        run: |
          setsid sleep 600 < /dev/null > /dev/null 2>&1 &
          echo "$!" > "$PIDS/service.pid"
          echo "$! $PIDS $SCRATCH $SERVED" > "$MARK"
          sleep 600
`),
    });
    try {
      const { code, out, err, trouble } = await rehearseCli([dir], {
        deadlineMs: 60_000,
        interruptWhen: () => existsSync(mark),
      });
      expect({ code, err, trouble, out }).toEqual({ code: 130, err: '', trouble: undefined, out: expect.any(String) });
      expect(out).toContain('SIGINT: stopping what the rehearsal started');
      const [pid, pids, scratch, served] = readFileSync(mark, 'utf8').trim().split(' ');
      // A process that has ended (a zombie whose reaper is the machine's init counts as ended).
      const alive = (p: number) => {
        try {
          process.kill(p, 0);
        } catch {
          return false;
        }
        const stat = `/proc/${p}/stat`;
        return !existsSync(stat) || !/^\d+ \(.*\) Z /.test(readFileSync(stat, 'utf8'));
      };
      expect(alive(Number(pid))).toBe(false);
      for (const folder of [pids, scratch]) expect(existsSync(folder as string)).toBe(false);
      await expect(fetch(`http://${served}/`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(dirname(mark), { recursive: true, force: true });
    }
  }, 120_000);
});
