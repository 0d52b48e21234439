import * as core from '@actions/core';
import { resolve, isAbsolute } from 'node:path';
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
} from '@rollgate/kit';
import { collectReports, judge, locate, renderTestSummary, type FailOn } from '@rollgate/reports';
import { DEFAULTS } from './defaults.js';

function readInputs(inputs: Inputs) {
  const command = inputs.string('command');
  return {
    command: command ? splitArgs(command) : [],
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
  const inputs = readInputs(new Inputs((name) => core.getInput(name), DEFAULTS));
  const { workspace } = readRunnerEnv();
  const cwd = resolve(workspace, inputs.workingDirectory);

  let commandExit: number | undefined;
  if (inputs.command.length) {
    const [program, ...args] = inputs.command as [string, ...string[]];
    core.startGroup(`Running ${inputs.command.join(' ')}`);
    try {
      commandExit = (await execFile(program, args, { cwd })).exitCode;
    } finally {
      core.endGroup();
    }
  }

  const glob = await import('@actions/glob');
  const globber = await glob.create(inputs.reports.map((p) => (isAbsolute(p) ? p : resolve(workspace, p))).join('\n'), {
    matchDirectories: false,
  });
  const files = (await globber.glob()).sort();
  if (files.length === 0 && inputs.minTests > 0) {
    throw new InputError(
      'reports',
      'patterns that match at least one report file (relative to the workspace)',
      inputs.reports.join(', '),
    );
  }

  const collected = await collectReports(files, workspace);
  const verdict = judge(collected, {
    failOn: inputs.failOn,
    minTests: inputs.minTests,
    ...(commandExit !== undefined ? { commandExit } : {}),
  });
  const t = collected.totals;

  for (const p of collected.problems)
    core.error(p.message, { title: 'Unreadable test report', file: p.file, ...(p.line ? { startLine: p.line } : {}) });
  for (const f of collected.failures.slice(0, inputs.maxAnnotations)) {
    const at = locate(f, workspace);
    core.error(f.message ?? `${f.outcome === 'error' ? 'errored' : 'failed'}`, {
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
  core.info(
    `${t.total} tests: ${t.passed} passed, ${t.failed} failed, ${t.errors} errored, ${t.skipped} skipped, ${t.flaky} flaky (${files.length} report files).`,
  );

  if (inputs.upload && files.length) {
    const { DefaultArtifactClient } = await import('@actions/artifact');
    const up = await new DefaultArtifactClient().uploadArtifact(inputs.artifactName, files, workspace);
    core.info(`Uploaded ${files.length} report file(s) as artifact '${inputs.artifactName}' (id ${up.id}).`);
  }
  if (verdict.reason) throw new ActionError(`Tests failed: ${verdict.reason}.`);
});
