import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './lib/manifest.js';

type Finding = { file: string; line: number; message: string };

/** Runs the real lint command (`npm run lint`'s script) and returns its findings. */
function lint(dir?: string): Finding[] {
  const r = spawnSync('node', [join(ROOT, 'scripts', 'lint.mjs'), '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...(dir ? { LINT_ROOT: dir } : {}) },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  const findings = JSON.parse(r.stdout) as Finding[];
  expect(r.status).toBe(findings.length ? 1 : 0);
  return findings;
}

function workflow(body: string): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  const file = join(dir, '.github', 'workflows', 'w.yml');
  writeFileSync(file, body);
  return { dir };
}

const GOOD = `name: ok
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - run: echo "$TITLE"
        env:
          TITLE: \${{ github.event.head_commit.message }}
`;

describe('workflow lint', () => {
  it("passes the repository's own workflows", () => {
    expect(lint()).toEqual([]);
  });

  it('the consumer example adopts the whole pipeline in at most 15 lines (and lints clean above)', () => {
    for (const name of ['deliver.yml', 'promote.yml', 'rollback.yml']) {
      const text = readFileSync(join(ROOT, 'examples', 'consumer', '.github', 'workflows', name), 'utf8');
      expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
      expect(text).toMatch(/^permissions: \{\}$/m);
      // Pinned by a full commit SHA, never a moving tag.
      expect(text).toMatch(/uses: rollgate\/rollgate\/\.github\/workflows\/[\w-]+\.yml@[0-9a-f]{40} /);
    }
  });

  it('passes a clean workflow', () => {
    expect(lint(workflow(GOOD).dir)).toEqual([]);
  });

  it('catches an expression injected into a run: script', () => {
    const bad = GOOD.replace('echo "$TITLE"', 'echo "${{ github.event.issue.title }}"');
    const messages = lint(workflow(bad).dir).map((f) => `${f.file}:${f.line}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^\.github\/workflows\/w\.yml:13: "github\.event\.issue\.title" is potentially untrusted/,
        ),
        '.github/workflows/w.yml:13: expression ${{ }} inside a run: script; pass it through env: and use "$VAR"',
      ]),
    );
  });

  it('catches unpinned actions and a missing permissions block', () => {
    const bad = GOOD.replace('permissions: {}\n', '').replace(/checkout@[0-9a-f]{40} # v5.0.0/, 'checkout@v5');
    const messages = lint(workflow(bad).dir).map((f) => f.message);
    expect(messages).toContain("'actions/checkout@v5' is not pinned to a full commit SHA");
    expect(messages).toContain('no top-level permissions: block (start from `permissions: {}` and grant per job)');
  });

  it("the suite's actions are called by $/ (same commit as the workflow), never by a moving tag", () => {
    const pipeline = readFileSync(join(ROOT, '.github', 'workflows', 'pipeline.yml'), 'utf8');
    expect(pipeline).toMatch(/uses: \$\/actions\/canary$/m);
    for (const file of ['pipeline.yml', 'promote.yml', 'rollback.yml', 'release.yml']) {
      expect(readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8')).not.toMatch(
        /rollgate\/rollgate\/actions\//,
      );
    }
    const tagged = GOOD.replace(
      '      - run: echo "$TITLE"',
      '      - uses: rollgate/rollgate/actions/release@v1\n      - run: echo "$TITLE"',
    );
    expect(lint(workflow(tagged).dir).map((f) => f.message)).toContain(
      "'rollgate/rollgate/actions/release@v1' calls the suite's own action by a tag: use $/actions/release (the same commit as this workflow)",
    );
  });

  it('checks local actions: declared inputs only, required inputs given', () => {
    const bad = GOOD.replace(
      '      - run: echo "$TITLE"',
      '      - uses: ./actions/release\n        with:\n          dry-run: true\n          bogus: 1\n      - uses: ./actions/nope\n      - uses: ./actions/canary\n        with:\n          version: 1.0.0\n      - run: echo "$TITLE"',
    );
    const messages = lint(workflow(bad).dir).map((f) => f.message);
    expect(messages).toContain('job a: with.bogus is not an input of actions/release');
    expect(messages).toContain('job a: ./actions/nope has no action.yml');
    expect(messages).toContain('job a: required input environment of actions/canary is not given');
  });

  it('checks reusable workflow calls against their workflow_call inputs and secrets', () => {
    const caller = `name: c
on: push
permissions: {}
jobs:
  deliver:
    uses: ./.github/workflows/pipeline.yml
    with:
      build-command: make
      colour: blue
    secrets: inherit
`;
    const messages = lint(workflow(caller).dir).map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'job deliver: with.colour is not an input of .github/workflows/pipeline.yml',
        'job deliver: required input outputs of .github/workflows/pipeline.yml is not given',
        'job deliver: secrets: inherit passes every secret; name the ones .github/workflows/pipeline.yml declares',
      ]),
    );
  });

  it('asks for persist-credentials: false where the job does not push', () => {
    const bad = GOOD.replace('        with:\n          persist-credentials: false\n', '');
    const messages = lint(workflow(bad).dir).map((f) => f.message);
    expect(messages).toContain('job a: checkout keeps the token in .git/config: set persist-credentials: false');
  });
});

describe("the suite's own release", () => {
  it('releases only a commit whose tests and bundle check passed in the same run', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = join(import.meta.dirname, '..', '.github', 'workflows');
    const release = parse(readFileSync(join(dir, 'release.yml'), 'utf8'));
    const jobs = release.jobs as Record<string, { uses?: string; needs?: string[]; steps?: { uses?: string }[] }>;
    const caller = (file: string) => Object.keys(jobs).find((k) => jobs[k]?.uses === `./.github/workflows/${file}`);
    const releasing = Object.values(jobs).find((j) => j.steps?.some((s) => s.uses === './actions/release'));
    expect(releasing?.needs?.sort()).toEqual([caller('ci.yml'), caller('check-dist.yml')].sort());
    // The checks it waits for run on this push through release.yml, not beside it.
    for (const file of ['ci.yml', 'check-dist.yml']) {
      const on = parse(readFileSync(join(dir, file), 'utf8')).on;
      expect(Object.keys(on).sort()).toEqual(['pull_request', 'workflow_call']);
    }
  });
});

type LayerFinding = { file: string; message: string };
const layers = async () =>
  (await import(join(ROOT, 'scripts', 'layers.mjs') as string)) as { checkLayers(base?: string): LayerFinding[] };

describe('layering rules (scripts/layers.mjs)', () => {
  const tree = (files: Record<string, string>) => {
    const base = mkdtempSync(join(tmpdir(), 'layers-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(base, path)), { recursive: true });
      writeFileSync(join(base, path), text);
    }
    return base;
  };
  const manifest = (deps: Record<string, string> = {}) => JSON.stringify({ name: 'x', dependencies: deps });

  it('is clean on the project', async () => {
    expect((await layers()).checkLayers()).toEqual([]);
  });

  it('finds a cycle, an undeclared or unused dependency, kit importing a workspace package, a package importing an action, testbed outside tests, and a package using @actions/core or process.env', async () => {
    const base = tree({
      'packages/kit/package.json': manifest({ '@rollgate/github': '^0.1.0', yaml: '^2.0.0' }),
      'packages/kit/src/a.ts':
        "import { b } from './b.js';\nimport { x } from '@rollgate/github';\nexport const a = 1;\n",
      'packages/kit/src/b.ts': "import type { a } from './a.js';\nexport const b = 2;\n",
      'packages/delivery/package.json': manifest(),
      'packages/delivery/src/c.ts':
        "import { run } from '../../../actions/canary/src/main.js';\nimport { GitHubEmulator } from '@rollgate/testbed';\n",
      'packages/traffic/package.json': manifest({ '@actions/core': '^3.0.0' }),
      'packages/traffic/src/d.ts':
        "import * as core from '@actions/core';\nexport const socket = process.env.HAPROXY_SOCKET ?? core.getInput('x');\n",
      'actions/canary/package.json': manifest(),
      'actions/canary/src/main.ts': "export const run = await import('@actions/core');\n",
      'scripts/demo.ts': "import { runScenario } from '../test/pipeline/scenario.js';\n",
      'roads/pipeline/road.ts': "import { helper } from '../../test/lib/helper.js';\n",
    });
    const messages = (await layers()).checkLayers(base).map((f) => `${f.file}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'packages/kit/src/a.ts: kit may import no workspace package, not @rollgate/github',
        'packages/kit/package.json: declares yaml, which no source file imports',
        expect.stringMatching(
          /^packages\/kit\/src\/a\.ts: import cycle: packages\/kit\/src\/a\.ts -> packages\/kit\/src\/b\.ts -> packages\/kit\/src\/a\.ts$/,
        ),
        expect.stringMatching(
          /^packages\/delivery\/src\/c\.ts: imports \.\.\/\.\.\/\.\.\/actions\/canary\/src\/main\.js, outside its own package/,
        ),
        'packages/delivery/src/c.ts: a package imports an action (../../../actions/canary/src/main.js)',
        'packages/delivery/src/c.ts: imports @rollgate/testbed (only tests, scripts and benchmarks may)',
        'packages/delivery/src/c.ts: imports @rollgate/testbed, which packages/delivery/package.json does not declare',
        'actions/canary/src/main.ts: imports @actions/core, which actions/canary/package.json does not declare',
        "actions/canary/src/main.ts: imports @actions/core (an action talks to the runner through kit's runner)",
        "packages/traffic/src/d.ts: imports @actions/core (packages log through kit's Logger port)",
        'packages/traffic/src/d.ts: reads process.env (the action reads the environment once, readRunnerEnv, and passes values down)',
        'scripts/demo.ts: imports ../test/pipeline/scenario.js, a test file (scripts/ may not; share it through roads/)',
        'roads/pipeline/road.ts: imports ../../test/lib/helper.js, a test file (roads/ may not; share it through roads/)',
      ]),
    );
  });

  it('keeps the delivery rollouts in folders of their own: no rollout imports another, shared folders import none', async () => {
    const base = tree({
      'packages/delivery/package.json': manifest(),
      'packages/delivery/src/canary/run.ts':
        "import { x } from '../phased/run.js';\nimport { y } from '../records/state.js';\n",
      'packages/delivery/src/phased/run.ts': 'export const x = 1;\n',
      'packages/delivery/src/records/state.ts': "import { z } from '../rollback/run.js';\nexport const y = 1;\n",
      'packages/delivery/src/rollback/run.ts': 'export const z = 1;\n',
      'packages/delivery/src/index.ts': "export * from './canary/run.js';\nexport * from './phased/run.js';\n",
      'actions/x/package.json': manifest(),
    });
    const messages = (await layers()).checkLayers(base).map((f) => `${f.file}: ${f.message}`);
    expect(messages).toEqual([
      'packages/delivery/src/canary/run.ts: the canary rollout imports the phased rollout (share through records, artifact, judging, fleet)',
      'packages/delivery/src/records/state.ts: records/ is shared by the rollouts and imports the rollback rollout',
    ]);
  });
});

describe('defaults live in action.yml alone (scripts/defaults.mjs)', () => {
  const check = async (base?: string) =>
    (
      (await import(join(ROOT, 'scripts', 'defaults.mjs') as string)) as {
        checkDefaults(base?: string): LayerFinding[];
      }
    ).checkDefaults(base);

  it('is clean on the project', async () => {
    expect(await check()).toEqual([]);
  });

  it('finds a default restated in an action, in a package reading a shared input, and as a fallback argument', async () => {
    const base = mkdtempSync(join(tmpdir(), 'defaults-'));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(base, path)), { recursive: true });
      writeFileSync(join(base, path), text);
    };
    write(
      'actions/canary/action.yml',
      "inputs:\n  samples:\n    default: '5'\n  mode:\n    default: run\n  note:\n    default: ''\n",
    );
    write('actions/rollback/action.yml', 'inputs:\n  wait-timeout:\n    default: 30m\n');
    write(
      'actions/canary/src/main.ts',
      "const a = inputs.integer('samples', { min: 1, default: 5 });\nconst b = inputs.oneOf('mode', ['run', 'start'], 'run');\nconst c = inputs.string('note', { default: 'x' });\n",
    );
    write(
      'packages/delivery/src/quiet.ts',
      "const t = inputs.duration('wait-timeout', '30m');\nconst u = inputs.duration('wait-timeout', undefined, {});\n",
    );
    const messages = (await check(base)).map((f) => f.file);
    expect(messages.sort()).toEqual([
      'actions/canary/src/main.ts:1',
      'actions/canary/src/main.ts:2',
      'packages/delivery/src/quiet.ts:1',
    ]);
  });

  it("states the canary's code defaults (steps and interval when none are recorded) as its action.yml says them", async () => {
    const { DEFAULT_STEPS, DEFAULT_INTERVAL_MS } = await import('../packages/delivery/src/canary/state.js');
    const { parse } = await import('yaml');
    const inputs = parse(readFileSync(join(ROOT, 'actions', 'canary', 'action.yml'), 'utf8')).inputs;
    expect(inputs.steps.description).toContain(`Empty: ${DEFAULT_STEPS.join(',')}`);
    expect(inputs.interval.description).toContain(`Empty: ${DEFAULT_INTERVAL_MS / 1000}s`);
  });
});
