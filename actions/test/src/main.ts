import { statSync } from 'node:fs';
import { resolve, isAbsolute } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import {
  ActionError,
  InputError,
  Inputs,
  execFile,
  readRunnerEnv,
  runAction,
  setOutputs,
  splitArgs,
  writeSummary,
  runner,
} from '@rollgate/kit';
import { collectReports, judge, locate, renderTestSummary, type FailOn } from '@rollgate/reports';
import { DEFAULTS } from './defaults.js';

/** Glob characters of @actions/glob (and `!` for a negation, `~` for home, `#` for a comment). */
const GLOB = /[*?[\]{}]|^[!~#]/;

/** A pattern against the workspace; a negation stays one (`!x` is `!<workspace>/x`). */
const anchored = (p: string, workspace: string): string =>
  p.startsWith('!')
    ? `!${anchored(p.slice(1), workspace)}`
    : isAbsolute(p) || /^[~#]/.test(p)
      ? p
      : resolve(workspace, p);

/**
 * The report files the patterns match, sorted. Patterns that are all plain paths of files (the
 * most common input) are checked with stat, sparing the glob library and what it loads at start.
 */
async function findReports(patterns: string[]): Promise<string[]> {
  const found = patterns.map((p) => (GLOB.test(p) ? undefined : statSync(p, { throwIfNoEntry: false })));
  // A directory stands for every file below it in @actions/glob (implicit descendants): globbed.
  if (found.every((stat) => stat && !stat.isDirectory()))
    return [...new Set(patterns.filter((_, i) => found[i]?.isFile()))].sort();
  const glob = await import('@actions/glob');
  const globber = await glob.create(patterns.join('\n'), { matchDirectories: false });
  return (await globber.glob()).sort();
}

function readInputs(inputs: Inputs) {
  const command = inputs.string('command');
  const install = inputs.string('install-command');
  return {
    command: command ? splitArgs(command) : [],
    install: install ? splitArgs(install) : [],
    workingDirectory: inputs.string('working-directory'),
    reports: inputs.list('reports', { required: true, separator: /\n/ }),
    failOn: inputs.oneOf<FailOn>('fail-on', ['failures', 'errors', 'none']),
    minTests: inputs.integer('min-tests', { min: 0 }),
    maxAnnotations: inputs.integer('max-annotations', { min: 0, max: 50 }),
    title: inputs.string('title'),
    upload: inputs.boolean('upload'),
    artifactName: inputs.string('artifact-name'),
  };
}

await runAction(async () => {
  const inputs = readInputs(new Inputs((name) => runner.getInput(name), DEFAULTS));
  const { workspace } = readRunnerEnv();
  const cwd = resolve(workspace, inputs.workingDirectory);

  // The dependencies the tests need, on this job's runner (the build job's install stays there).
  if (inputs.install.length) {
    const [program, ...args] = inputs.install as [string, ...string[]];
    runner.startGroup(`Installing: ${inputs.install.join(' ')}`);
    try {
      const installed = await execFile(program, args, { cwd });
      if (installed.exitCode !== 0)
        throw new ActionError(`Install failed: '${inputs.install.join(' ')}' exited with code ${installed.exitCode}.`);
    } finally {
      runner.endGroup();
    }
  }

  let commandExit: number | undefined;
  if (inputs.command.length) {
    const [program, ...args] = inputs.command as [string, ...string[]];
    runner.startGroup(`Running ${inputs.command.join(' ')}`);
    try {
      commandExit = (await execFile(program, args, { cwd })).exitCode;
    } finally {
      runner.endGroup();
    }
  }

  const files = await findReports(inputs.reports.map((p) => anchored(p, workspace)));
  if (files.length === 0 && inputs.minTests > 0) {
    throw new InputError(
      'reports',
      'patterns that match at least one report file (relative to the workspace)',
      inputs.reports.join(', '),
    );
  }

  // The reports are streamed: next to nothing survives a young-generation collection, yet V8
  // doubles the young generation each time survivors add up (to 32 MB on Node 24, a third of
  // the 100 MB the action may use on a 1 GB report). V8 reads the factor when it would grow,
  // so setting it now holds the young generation where it is; the parse is as fast.
  // https://nodejs.org/api/v8.html#v8setflagsfromstringflags
  setFlagsFromString('--semi-space-growth-factor=1');
  const collected = await collectReports(files, workspace);
  const verdict = judge(collected, {
    failOn: inputs.failOn,
    minTests: inputs.minTests,
    ...(commandExit !== undefined ? { commandExit } : {}),
  });
  const t = collected.totals;

  for (const p of collected.problems)
    runner.error(p.message, {
      title: 'Unreadable test report',
      file: p.file,
      ...(p.line ? { startLine: p.line } : {}),
    });
  for (const f of collected.failures.slice(0, inputs.maxAnnotations)) {
    const at = locate(f, workspace);
    runner.error(f.message ?? `${f.outcome === 'error' ? 'errored' : 'failed'}`, {
      title: `${f.classname ? `${f.classname} › ` : ''}${f.name}`,
      ...(at.file ? { file: at.file } : {}),
      ...(at.line ? { startLine: at.line } : {}),
    });
  }

  setOutputs({
    total: t.total,
    passed: t.passed,
    failed: t.failed,
    errors: t.errors,
    skipped: t.skipped,
    flaky: t.flaky,
    duration: Math.round(t.duration * 1000) / 1000,
    conclusion: verdict.conclusion,
  });
  await writeSummary(renderTestSummary(inputs.title, collected, verdict));
  runner.info(
    `${t.total} tests: ${t.passed} passed, ${t.failed} failed, ${t.errors} errored, ${t.skipped} skipped, ${t.flaky} flaky (${files.length} report files).`,
  );

  if (inputs.upload && files.length) {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const up = await new DefaultArtifactClient().uploadArtifact(inputs.artifactName, files, workspace);
    runner.info(`Uploaded ${files.length} report file(s) as artifact '${inputs.artifactName}' (id ${up.id}).`);
  }
  if (verdict.reason) throw new ActionError(`Tests failed: ${verdict.reason}.`);
});
