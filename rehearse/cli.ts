/**
 * `npm run rehearse -- <path to your repository> [--plan <file>]`: runs your workflow files
 * through the local runner and the GitHub emulator as the plan says (rehearse/README.md) and
 * prints the road. Exits 0 when every step ended as the plan expects, 1 when one did not, 2
 * when the plan or the command line cannot be used (one line saying why, before anything starts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PlanError, parsePlan } from './plan.js';
import { report } from './report.js';
import { rehearse, stopRehearsal } from './run.js';

const USAGE = 'usage: npm run rehearse -- <path to your repository> [--plan <rehearsal.yml>]';

function fail(message: string, code = 2): never {
  console.error(`rehearse: ${message}`);
  process.exit(code);
}

function args(argv: string[]): { repository: string; plan: string } {
  // npm runs scripts in the suite's folder; paths are taken from where the user typed the command.
  const from = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);
  let plan: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--plan') {
      const next = argv[++i];
      if (!next) fail(`--plan: expected a file (${USAGE})`);
      plan = from(next);
    } else if (a.startsWith('-')) fail(`${a}: not an option (${USAGE})`);
    else rest.push(a);
  }
  if (rest.length !== 1) fail(`expected one repository path (${USAGE})`);
  const repository = from(rest[0] as string);
  if (!existsSync(repository)) fail(`repository: ${repository} does not exist`);
  plan ??= [resolve(repository, 'rehearsal.yml'), resolve(repository, '.github', 'rehearsal.yml')].find(existsSync);
  if (!plan) fail(`no rehearsal.yml in ${repository} or its .github/: give one with --plan (see rehearse/README.md)`);
  if (!existsSync(plan)) fail(`--plan: ${plan} does not exist`);
  return { repository, plan };
}

const started = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const { repository, plan: planFile } = args(process.argv.slice(2));
let plan;
try {
  plan = parsePlan(readFileSync(planFile, 'utf8'), planFile);
} catch (e) {
  fail(`${planFile}: ${(e as Error).message}`);
}
// Ctrl-C (or a CI job cancelled) stops what the rehearsal started before the command ends.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => {
    say(`${signal}: stopping what the rehearsal started`);
    void stopRehearsal().finally(() => process.exit(code));
  });
try {
  const r = await rehearse({ repository, plan, log: say });
  console.log('');
  for (const line of report(r)) say(line);
  process.exit(r.ok ? 0 : 1);
} catch (e) {
  if (e instanceof PlanError) fail(`${planFile}: ${e.message}`);
  fail((e as Error).message, 1);
}
