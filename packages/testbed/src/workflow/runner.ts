/**
 * A local workflow runner for the suite's workflows, a consumer's, and the tests and demo. It
 * validates a workflow with GitHub's @actions/workflow-parser, evaluates expressions with
 * @actions/expressions, and runs jobs in `needs` order: `uses: ./actions/*`, `$/actions/*` (the
 * workflow's own repository at its commit) and `owner/repo/actions/*@ref` through the
 * runner-contract harness with post steps at the end of the job; `run:` steps with bash; step
 * and job outputs, env and GITHUB_ENV; `if:` with success()/failure()/always()/cancelled();
 * reusable workflows, local or `owner/repo/.github/workflows/x.yml@ref` from a mirror
 * (remote-repos.ts), with inputs, secrets, outputs and permissions capped by the caller;
 * concurrency groups as GitHub keeps them (concurrency.ts); each job's token holding only what
 * its `permissions:` grant (the emulator enforces it). Anything else fails with a message
 * saying so; no step is silently skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { Contexts } from '../expressions.js';
import { parseKeyValueFile } from '../file-commands.js';
import { REPO_ROOT, runAction, runPostStep, type RunOptions, type StepResult } from '../harness.js';
import { runRemoteAction, spawnAsync } from './remote-actions.js';
import { ConcurrencyGroups, concurrencyOf } from './concurrency.js';
import { checkoutRef } from './remote-repos.js';
import { JOB_TIMEOUT_MINUTES, jobTimedOut, minutesOf, stepLimit, stepTimedOut } from './timeouts.js';
import { RunRefused, nestedPermissionRefusal } from './refusals.js';
import { DEFAULT_GRANTS, cap, parsePermissions, type Grants } from '../github/permissions.js';

export type { RunnerEnv, WorkflowRunOptions, StepRecord, JobResult, WorkflowResult } from './types.js';
import type { RunnerEnv, WorkflowRunOptions, StepRecord, JobResult, WorkflowResult } from './types.js';
import { UNSUPPORTED_JOB_KEYS, condition, expr, order, toStrings, type Json } from './evaluate.js';

let nextRunId = 5000;

export class WorkflowRunner {
  private readonly active = new Set<number>();
  private readonly shas = new Map<number, string>();
  readonly groups: ConcurrencyGroups;
  constructor(readonly env: RunnerEnv) {
    this.groups = env.groups ?? new ConcurrencyGroups();
  }

  /**
   * The commit a run without an explicit one runs: the head of its ref in the remote now, as
   * GitHub runs a workflow_dispatch on the latest commit of the branch ("Manually running a
   * workflow": the workflow runs on the branch's last commit); the runner's sha when the remote
   * does not hold the ref.
   */
  private headOf(ref: string): string {
    const head = spawnSync('git', ['--git-dir', this.env.remote, 'rev-parse', '--verify', '-q', `${ref}^{commit}`], {
      encoding: 'utf8',
    });
    return head.status === 0 && head.stdout.trim() ? head.stdout.trim() : this.env.sha;
  }

  private shaOf(runId: number): string {
    return this.shas.get(runId) ?? this.env.sha;
  }

  private log(line: string): void {
    this.env.log?.(line);
  }

  /**
   * Runs a workflow. What GitHub would refuse before the first job (refusals.ts) ends as a
   * failed result with `refused` saying why, and no job runs.
   */
  async run(options: WorkflowRunOptions): Promise<WorkflowResult> {
    try {
      return await this.start(options);
    } catch (error) {
      if (!(error instanceof RunRefused) || options.callerJob !== undefined) throw error;
      this.log(`  ✘ ${options.file}: refused: ${error.reason}`);
      return { conclusion: 'failure', jobs: {}, outputs: {}, refused: error.reason };
    }
  }

  /** The workflow file, parsed and checked as GitHub checks it before a run starts. */
  private load(options: WorkflowRunOptions): { wf: Json; on: Json } {
    const file = resolve(REPO_ROOT, options.file);
    const text = readFileSync(file, 'utf8');
    const parsed = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
    const errors = parsed.context.errors.getErrors();
    if (errors.length)
      throw new RunRefused(
        `${basename(options.file)}: The workflow is not valid. ${errors.map((e) => e.message).join('; ')}`,
      );
    const wf = parse(text) as Json;
    const rawOn = wf.on ?? {};
    const on = (
      typeof rawOn === 'string'
        ? { [rawOn]: null }
        : Array.isArray(rawOn)
          ? Object.fromEntries(rawOn.map((e) => [e, null]))
          : rawOn
    ) as Json;
    if (!(options.event in on)) throw new RunRefused(`${basename(options.file)} does not run on ${options.event}`);
    return { wf, on };
  }

  private async start(options: WorkflowRunOptions): Promise<WorkflowResult> {
    const { wf, on } = this.load(options);
    const runId = options.runId ?? ++nextRunId;
    const inputs = this.inputsFor(on[options.event] as Json | null, options);
    const jobs = (wf.jobs ?? {}) as Record<string, Json>;
    if (options.callerJob === undefined) this.checkNested(jobs, wf.permissions, undefined, options.root);
    const results: Record<string, JobResult> = {};
    this.log(`▶ ${options.file} (${options.event}, run ${runId})`);
    // A reusable workflow runs inside its caller's run (same id): only the outermost is a run of
    // its own. Run directly as workflow_call, it stands for a consumer's caller started by a push.
    const outermost = !this.active.has(runId);
    const ref = this.env.ref ?? 'refs/heads/main';
    if (outermost) {
      this.active.add(runId);
      this.shas.set(runId, options.sha ?? this.headOf(ref));
      this.env.runs?.startRun({
        id: runId,
        head_sha: this.shaOf(runId),
        event: options.event === 'workflow_call' ? 'push' : options.event,
        path: `.github/workflows/${basename(options.file)}`,
        head_branch: ref.replace(/^refs\/(heads|tags)\//, ''),
        // Each job is registered as it starts on a runner (runJob).
        jobs: [],
      });
    }
    const label = `${options.file}#${runId}`;
    const group = concurrencyOf(wf.concurrency, {
      github: this.github(options, runId, inputs),
      inputs,
      vars: this.env.vars ?? {},
    });
    if (group && (await this.groups.acquire(group.name, { label }, group.cancelInProgress)) === 'cancelled') {
      this.log(`  ✘ ${options.file} (run ${runId}): cancelled in concurrency group ${group.name}`);
      if (outermost) {
        this.active.delete(runId);
        this.env.runs?.finishRun(runId, 'cancelled');
      }
      return { conclusion: 'cancelled', jobs: {}, outputs: {} };
    }
    try {
      await this.runJobs(jobs, results, options, runId, inputs, wf);
    } catch (error) {
      if (outermost) {
        this.active.delete(runId);
        this.env.runs?.finishRun(runId, 'failure');
      }
      throw error;
    } finally {
      if (group) this.groups.release(group.name, { label });
    }
    const outputs: Record<string, string> = {};
    if (options.event === 'workflow_call') {
      const decl = ((on.workflow_call as Json | null)?.outputs ?? {}) as Record<string, Json>;
      const jobsCtx = Object.fromEntries(
        Object.entries(results).map(([k, v]) => [k, { result: v.conclusion, outputs: v.outputs }]),
      );
      for (const [k, spec] of Object.entries(decl)) outputs[k] = String(expr(spec.value, { jobs: jobsCtx }, {}) ?? '');
    }
    const all = Object.values(results);
    const conclusion = all.some((r) => r.conclusion === 'failure')
      ? 'failure'
      : all.some((r) => r.conclusion === 'cancelled')
        ? 'cancelled'
        : 'success';
    if (outermost) {
      this.active.delete(runId);
      this.env.runs?.finishRun(runId, conclusion);
    }
    return { conclusion, jobs: results, outputs };
  }

  private async runJobs(
    jobs: Record<string, Json>,
    results: Record<string, JobResult>,
    options: WorkflowRunOptions,
    runId: number,
    inputs: Record<string, unknown>,
    wf: Json,
  ): Promise<void> {
    for (const id of order(jobs)) {
      const job = jobs[id] as Json;
      const needs = ([] as string[]).concat((job.needs as string | string[] | undefined) ?? []);
      const needsCtx = Object.fromEntries(
        needs.map((n) => [n, { result: results[n]?.conclusion, outputs: results[n]?.outputs ?? {} }]),
      );
      const allOk = needs.every((n) => results[n]?.conclusion === 'success');
      const fns = {
        success: () => allOk,
        failure: () => needs.some((n) => results[n]?.conclusion === 'failure'),
        always: () => true,
        cancelled: () => false,
      };
      const contexts: Contexts = {
        github: this.github(options, runId, inputs),
        inputs,
        needs: needsCtx,
        vars: this.env.vars ?? {},
        secrets: options.secrets ?? {},
        env: (wf.env as Json) ?? {},
      };
      if (!condition(job.if, contexts, fns)) {
        results[id] = { conclusion: 'skipped', outputs: {}, steps: [] };
        this.log(`  ⏭ job ${id}: skipped`);
        continue;
      }
      results[id] = await this.runJob(id, job, contexts, options, runId, (wf.env as Json) ?? {}, wf.permissions);
      this.log(`  ${results[id]?.conclusion === 'success' ? '✔' : '✘'} job ${id}: ${results[id]?.conclusion}`);
    }
  }

  private inputsFor(trigger: Json | null, options: WorkflowRunOptions): Record<string, unknown> {
    const decl = ((trigger ?? {}).inputs ?? {}) as Record<string, Json>;
    const out: Record<string, unknown> = {};
    for (const [k, spec] of Object.entries(decl)) {
      let v: unknown = options.inputs?.[k] ?? spec.default;
      if (v === undefined && spec.required) throw new RunRefused(`Required input '${k}' not provided`);
      if (spec.type === 'boolean') v = v === true || v === 'true';
      else if (spec.type === 'number') v = Number(v ?? 0);
      else if (spec.type === 'choice' && v !== undefined && !(spec.options as string[]).includes(String(v))) {
        throw new RunRefused(
          `Provided value '${String(v)}' for input '${k}' not in the list of allowed values: ${(spec.options as string[]).join(', ')}`,
        );
      } else v = v === undefined ? '' : String(v);
      out[k] = v;
    }
    const unexpected = Object.keys(options.inputs ?? {}).filter((k) => !(k in decl));
    if (unexpected.length) throw new RunRefused(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    return out;
  }

  private github(options: WorkflowRunOptions, runId: number, inputs: Record<string, unknown>) {
    return {
      repository: this.env.repository,
      repository_owner: this.env.repository.split('/')[0],
      sha: this.shaOf(runId),
      ref: this.env.ref ?? 'refs/heads/main',
      event_name: options.event,
      event: { inputs },
      run_id: String(runId),
      run_attempt: '1',
      token: this.env.token,
      server_url: 'https://github.com',
      api_url: this.env.apiUrl,
      actor: 'octocat',
    };
  }

  private async runJob(
    id: string,
    job: Json,
    contexts: Contexts,
    options: WorkflowRunOptions,
    runId: number,
    wfEnv: Json,
    wfPermissions?: unknown,
  ): Promise<JobResult> {
    for (const k of UNSUPPORTED_JOB_KEYS)
      if (job[k] !== undefined) throw new Error(`job ${id}: '${k}' is not supported by the local workflow runner`);
    const noFns = { success: () => true, failure: () => false, always: () => true, cancelled: () => false };
    const environment =
      job.environment === undefined
        ? undefined
        : String(
            expr(
              typeof job.environment === 'object' ? (job.environment as Json).name : job.environment,
              contexts,
              noFns,
            ),
          );
    if (environment) this.log(`  job ${id}: environment ${environment}`);
    const group = concurrencyOf(job.concurrency, contexts);
    const label = `${id}#${runId}`;
    if (group && (await this.groups.acquire(group.name, { label }, group.cancelInProgress)) === 'cancelled') {
      this.log(`  job ${id}: cancelled in concurrency group ${group.name}`);
      return { conclusion: 'cancelled', outputs: {}, steps: [], ...(environment ? { environment } : {}) };
    }
    // The job's token: what its permissions (else the workflow's, else the default) grant, capped by a caller's.
    const grants = cap(
      parsePermissions(job.permissions) ?? parsePermissions(wfPermissions) ?? DEFAULT_GRANTS,
      options.permissionsCap,
    );
    // GitHub names a called workflow's jobs "<caller job> / <job>"; a job that calls a workflow runs on no runner.
    const jobName = options.callerJob ? `${options.callerJob} / ${id}` : id;
    const onRunner = typeof job.uses !== 'string';
    const entry = environment ? await this.enterEnvironment(runId, jobName, environment, contexts) : undefined;
    if (entry && 'refused' in entry) {
      this.log(`  ✘ job ${id}: ${entry.refused}`);
      this.env.runs?.startJob(runId, jobName, 'queued');
      this.env.runs?.finishJob(runId, jobName, 'failure');
      if (group) this.groups.release(group.name, { label });
      const refusal = {
        name: 'environment protection rules',
        conclusion: 'failure' as const,
        outputs: {},
        error: entry.refused,
      };
      return { conclusion: 'failure', outputs: {}, steps: [refusal], ...(environment ? { environment } : {}) };
    }
    const token = this.env.tokens?.issueToken(grants) ?? this.env.token;
    const jobContexts: Contexts = {
      ...contexts,
      github: { ...(contexts.github as Json), token },
      // The environment's variables win over the repository's; its secrets join the job's.
      ...(entry ? { vars: { ...(contexts.vars as Json), ...entry.vars } } : {}),
      ...(entry ? { secrets: { ...(contexts.secrets as Json), ...entry.secrets } } : {}),
    };
    if (onRunner) this.env.runs?.startJob(runId, jobName);
    let conclusion: JobResult['conclusion'] = 'failure';
    try {
      const result = await this.runJobIn(
        id,
        job,
        jobContexts,
        options,
        runId,
        wfEnv,
        noFns,
        environment,
        grants,
        token,
      );
      conclusion = result.conclusion;
      return result;
    } finally {
      if (onRunner)
        this.env.runs?.finishJob(
          runId,
          jobName,
          conclusion === 'success' ? 'success' : conclusion === 'cancelled' ? 'cancelled' : 'failure',
        );
      if (group) this.groups.release(group.name, { label });
    }
  }

  /** The environment's protection rules for a job (the job waits while they do), or no rules without an emulator. */
  private async enterEnvironment(runId: number, jobName: string, environment: string, contexts: Contexts) {
    if (!this.env.protection) return undefined;
    const github = contexts.github as Json;
    return this.env.protection.enter(
      { runId, name: jobName, environment, ref: String(github.ref), actor: String(github.actor) },
      () => {
        this.log(`  ⏸ job ${jobName}: waiting for the protection rules of ${environment}`);
        this.env.runs?.startJob(runId, jobName, 'waiting');
      },
    );
  }

  /**
   * Where an action of the suite lives: `$/` in the tree of the workflow's own repository (at
   * its commit), `owner/repo/...@ref` in that repository's mirror at ref, `./` in this checkout.
   */
  private actionPath(uses: string, path: string, options: WorkflowRunOptions): string {
    if (uses.startsWith('$/')) return join(options.root ?? REPO_ROOT, path);
    const named = /^([\w.-]+\/[\w.-]+)\/.+@(.+)$/.exec(uses);
    const mirror = named ? this.env.repositories?.[named[1] as string] : undefined;
    if (named && mirror) return join(checkoutRef(mirror, named[2] as string).dir, path);
    return join(REPO_ROOT, path);
  }

  private async runJobIn(
    id: string,
    job: Json,
    contexts: Contexts,
    options: WorkflowRunOptions,
    runId: number,
    wfEnv: Json,
    noFns: Record<string, () => boolean>,
    environment: string | undefined,
    grants: Grants,
    token: string,
  ): Promise<JobResult> {
    if (typeof job.uses === 'string')
      return this.callWorkflow(id, job, contexts, runId, noFns, environment, grants, options.root);
    const workspace = mkdtempSync(join(tmpdir(), `job-${id}-`));
    const env: Record<string, string> = {
      ...toStrings(wfEnv, contexts, noFns),
      ...toStrings(job.env as Json, contexts, noFns),
    };
    const steps: StepRecord[] = [];
    const stepsCtx: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const posts: { options: RunOptions; main: StepResult }[] = [];
    let failed = false;
    const runtime = this.env.runtime?.(runId);
    const jobMinutes = minutesOf(job['timeout-minutes'], `job ${id}`, contexts, noFns) ?? JOB_TIMEOUT_MINUTES;
    const jobDeadline = Date.now() + jobMinutes * 60_000;
    for (const [i, step] of ((job.steps ?? []) as Json[]).entries()) {
      const name = String(step.name ?? step.id ?? step.uses ?? `run ${i + 1}`);
      const ctx: Contexts = { ...contexts, steps: stepsCtx, env, job: { status: failed ? 'failure' : 'success' } };
      const fns = { success: () => !failed, failure: () => failed, always: () => true, cancelled: () => false };
      if (!condition(step.if, ctx, fns)) {
        steps.push({ name, conclusion: 'skipped', outputs: {} });
        continue;
      }
      const stepEnv = { ...env, ...toStrings(step.env as Json, ctx, fns) };
      const w = toStrings(step.with as Json, ctx, fns);
      let outputs: Record<string, string> = {};
      let error: string | undefined;
      try {
        const stepMinutes = minutesOf(step['timeout-minutes'], `step ${name}`, ctx, fns);
        const limit = stepLimit(stepMinutes, jobDeadline);
        const timedOut = () =>
          limit.by === 'step' ? stepTimedOut(name, stepMinutes as number) : jobTimedOut(jobMinutes);
        if (limit.ms <= 0) throw new Error(timedOut());
        if (typeof step.run === 'string') {
          const r = await this.runShell(String(step.run), stepEnv, workspace, runId, options, runtime, limit.ms);
          outputs = r.outputs;
          Object.assign(env, r.env);
          if (r.timedOut) error = timedOut();
          else if (r.exitCode !== 0)
            error = `run step exited with code ${r.exitCode}${r.stderr ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}`;
        } else if (typeof step.uses === 'string') {
          const uses = step.uses;
          // `./` and `$/` (GitHub's self-repository reference: the workflow's own repository at the
          // running SHA, @actions/workflow-parser workflows/file-reference.js) both name this
          // repository's actions at this commit; rollgate/rollgate/... is the suite by name.
          const local = /^(?:\.\/|\$\/|rollgate\/rollgate\/)(actions\/[\w-]+)(?:@.+)?$/.exec(uses);
          if (local) {
            const runOptions: RunOptions = {
              action: this.actionPath(uses, local[1] as string, options),
              workspace,
              inputs: w,
              env: stepEnv,
              repository: this.env.repository,
              sha: this.shaOf(runId),
              ref: this.env.ref ?? 'refs/heads/main',
              runId,
              apiUrl: this.env.apiUrl,
              token,
              event: { name: options.event, payload: { inputs: contexts.inputs } },
              post: false,
              timeoutMs: limit.ms,
              ...(runtime ?? {}),
            };
            const r = await runAction(runOptions);
            outputs = r.outputs;
            Object.assign(env, r.env);
            for (const line of r.log) this.log(`      ${line}`);
            posts.push({ options: runOptions, main: r });
            if (r.timedOut) error = timedOut();
            else if (r.exitCode !== 0) error = r.error ?? `exited with code ${r.exitCode}`;
          } else {
            const remote = /^([\w.-]+\/[\w.-]+)@[\w.-]+$/.exec(uses);
            if (!remote) throw new Error(`uses: ${uses} is not supported by the local workflow runner`);
            outputs = await runRemoteAction(remote[1] as string, w, {
              workspace,
              remote: this.env.remote,
              sha: this.shaOf(runId),
              env: { ...stepEnv, ...this.runnerEnv(runId, workspace, runtime) },
              log: (l) => this.log(`      ${l}`),
            });
          }
        } else {
          throw new Error(`step ${name} has neither run nor uses`);
        }
      } catch (e) {
        error = (e as Error).message;
      }
      const ok = error === undefined;
      if (!ok && step['continue-on-error'] !== true) failed = true;
      steps.push({ name, conclusion: ok ? 'success' : 'failure', outputs, ...(error ? { error } : {}) });
      this.log(`    ${ok ? '✔' : '✘'} ${name}${error ? `: ${error}` : ''}`);
      if (typeof step.id === 'string')
        stepsCtx[step.id] = {
          outputs,
          outcome: ok ? 'success' : 'failure',
          conclusion: ok || step['continue-on-error'] === true ? 'success' : 'failure',
        };
    }
    for (const p of posts.reverse()) {
      const post = await runPostStep(p.options, p.main, failed ? 'failure' : 'success');
      if (post && post.exitCode !== 0) failed = true;
    }
    const ctx: Contexts = { ...contexts, steps: stepsCtx, env };
    const outputs = toStrings(job.outputs as Json, ctx, noFns);
    return { conclusion: failed ? 'failure' : 'success', outputs, steps, ...(environment ? { environment } : {}) };
  }

  private runnerEnv(
    runId: number,
    workspace: string,
    runtime?: { resultsUrl: string; runtimeToken: string },
  ): Record<string, string> {
    return {
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: this.env.repository,
      GITHUB_SHA: this.shaOf(runId),
      GITHUB_RUN_ID: String(runId),
      GITHUB_API_URL: this.env.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      ...(runtime ? { ACTIONS_RESULTS_URL: runtime.resultsUrl, ACTIONS_RUNTIME_TOKEN: runtime.runtimeToken } : {}),
    };
  }

  private async runShell(
    script: string,
    env: Record<string, string>,
    workspace: string,
    runId: number,
    options: WorkflowRunOptions,
    runtime: { resultsUrl: string; runtimeToken: string } | undefined,
    timeoutMs: number,
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    const files = {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_ENV: join(dir, 'env'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      GITHUB_PATH: join(dir, 'path'),
    };
    for (const f of Object.values(files)) writeFileSync(f, '');
    const scriptFile = join(dir, 'script.sh');
    writeFileSync(scriptFile, script);
    const r = await spawnAsync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
      cwd: workspace,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: options.event,
        RUNNER_TEMP: dir,
        ...this.runnerEnv(runId, workspace, runtime),
        ...env,
        ...files,
      },
      timeoutMs,
    });
    for (const line of (r.stdout ?? '').trim().split('\n')) if (line) this.log(`      ${line}`);
    return {
      timedOut: r.timedOut,
      exitCode: r.status ?? 1,
      stderr: r.stderr ?? '',
      outputs: existsSync(files.GITHUB_OUTPUT) ? parseKeyValueFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')) : {},
      env: existsSync(files.GITHUB_ENV) ? parseKeyValueFile(readFileSync(files.GITHUB_ENV, 'utf8')) : {},
    };
  }

  /**
   * Where a reusable workflow lives: `./` is the caller's repository at the same commit,
   * `owner/repo/...@ref` that repository's tree at ref (from its mirror).
   */
  private resolveCall(id: string, uses: string, parentRoot: string | undefined) {
    const m = /^(?:\.\/|([\w.-]+\/[\w.-]+)\/)(\.github\/workflows\/[\w.-]+\.ya?ml)(?:@(.+))?$/.exec(uses);
    if (!m)
      throw new Error(
        `job ${id}: uses ${uses} is not a reusable workflow (./.github/workflows/x.yml or owner/repo/.github/workflows/x.yml@ref)`,
      );
    const [, repo, path = '', ref] = m;
    let root = parentRoot;
    if (repo) {
      const mirror = this.env.repositories?.[repo];
      if (mirror) {
        if (!ref) throw new RunRefused(`job ${id}: ${uses} needs @ref`);
        root = checkoutRef(mirror, ref).dir;
      } else if (repo === 'rollgate/rollgate') root = REPO_ROOT;
      else throw new Error(`job ${id}: repository ${repo} is not known to the local runner (RunnerEnv.repositories)`);
    }
    return { root, path, repo, ref, file: join(root ?? REPO_ROOT, path) };
  }

  /**
   * GitHub's checks of the reusable workflows a run calls, before its first job: each nested
   * job asks for no more than its calling job grants, and each call passes only inputs the
   * called workflow declares (refusals.ts). Nested calls are checked in turn.
   */
  private checkNested(jobs: Record<string, Json>, wfPermissions: unknown, limit: Grants | undefined, root?: string) {
    for (const [id, job] of Object.entries(jobs)) {
      if (typeof job.uses !== 'string') continue;
      const call = this.resolveCall(id, job.uses, root);
      const allowed = cap(
        parsePermissions(job.permissions) ?? parsePermissions(wfPermissions) ?? DEFAULT_GRANTS,
        limit,
      );
      const called = parse(readFileSync(call.file, 'utf8')) as Json;
      const declared = ((((called.on as Json | undefined)?.workflow_call as Json | null) ?? {}).inputs ?? {}) as Json;
      for (const k of Object.keys((job.with ?? {}) as Json))
        if (!(k in declared))
          throw new RunRefused(`job ${id}: Invalid input, ${k} is not defined in the referenced workflow.`);
      const nested = (called.jobs ?? {}) as Record<string, Json>;
      for (const [name, inner] of Object.entries(nested)) {
        const requested = parsePermissions(inner.permissions) ?? parsePermissions(called.permissions);
        const refusal = nestedPermissionRefusal(job.uses, name, requested, allowed);
        if (refusal) throw new RunRefused(refusal);
      }
      this.checkNested(nested, called.permissions, allowed, call.root);
    }
  }

  private async callWorkflow(
    id: string,
    job: Json,
    contexts: Contexts,
    runId: number,
    fns: Record<string, () => boolean>,
    environment: string | undefined,
    grants: Grants,
    parentRoot: string | undefined,
  ): Promise<JobResult> {
    const uses = String(job.uses);
    const { root, path, repo, ref } = this.resolveCall(id, uses, parentRoot);
    if (job.secrets === 'inherit') throw new Error(`job ${id}: secrets: inherit is not supported; name the secrets`);
    const inputs = Object.fromEntries(
      Object.entries((job.with ?? {}) as Json).map(([k, v]) => [
        k,
        expr(v, contexts, fns) as string | boolean | number,
      ]),
    );
    const secrets = toStrings(job.secrets as Json, contexts, fns);
    this.env.runs?.referenceWorkflow?.(runId, `${repo ?? this.env.repository}/${path}@${ref ?? this.shaOf(runId)}`);
    const r = await this.run({
      callerJob: id,
      file: join(root ?? REPO_ROOT, path),
      event: 'workflow_call',
      inputs,
      secrets,
      runId,
      permissionsCap: grants,
      ...(root ? { root } : {}),
    });
    return {
      conclusion: r.conclusion,
      outputs: r.outputs,
      steps: [],
      called: r.jobs,
      ...(environment ? { environment } : {}),
    };
  }
}
