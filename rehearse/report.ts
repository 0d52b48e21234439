/**
 * The road of a rehearsal, as `npm run demo` prints it: each run (its jobs, what GitHub refused,
 * the failing step's error), the split after it, then the deployment history GitHub holds and
 * what the repository's tokens did.
 */
import { firstFailure } from '@rollgate/testbed';
import type { Weights } from '../roads/pipeline/serving.js';
import type { Outcome, Rehearsal } from './run.js';

/** `1.0.0 75%, 1.1.0 25%`: the versions that get traffic. */
export function split(w: Weights): string {
  const live = Object.values(w).filter((b) => b.weight > 0);
  return live.length ? live.map((b) => `${b.version || '(none)'} ${b.weight}%`).join(', ') : 'no traffic';
}

/** Job outputs worth a line: what was released and where it stands. */
const SHOWN = ['tag', 'version', 'canary-outcome', 'outcome', 'weight'];

function runLines(o: Extract<Outcome, { result: unknown }>): string[] {
  const { step, result } = o;
  const lines = [`${o.ok ? '✔' : '✘'} ${step.name}: ${result.conclusion}${o.ok ? '' : ` (expected ${step.expect})`}`];
  if (result.refused) lines.push(`    refused: ${result.refused}`);
  for (const [id, job] of Object.entries(result.jobs)) {
    const shown = SHOWN.filter((k) => job.outputs[k]).map((k) => `${k} ${job.outputs[k]}`);
    lines.push(`    job ${id}: ${job.conclusion}${shown.length ? ` (${shown.join(', ')})` : ''}`);
    // The first failing step, in the workflow the job called when it called one.
    const failed = firstFailure({ [id]: job });
    if (failed) lines.push(`      ✘ ${failed.job === id ? '' : `${failed.job}: `}${failed.step}: ${failed.error}`);
  }
  if (o.weights) lines.push(`    split: ${split(o.weights)}`);
  return lines;
}

export function report(r: Rehearsal): string[] {
  const lines: string[] = [];
  for (const o of r.outcomes)
    if ('result' in o) lines.push(...runLines(o));
    else lines.push(`● ${o.step.name} (${o.sha.slice(0, 12)})`);
  if (r.load) lines.push(`load: ${r.load.sent} requests, ${r.load.failed} failed`);
  lines.push('deployment history (GitHub Deployments, oldest first):');
  for (const d of r.gh.state.deployments) {
    const statuses = r.gh.state.statuses.filter((s) => s.deploymentId === d.id).sort((a, b) => a.id - b.id);
    const payload = (typeof d.payload === 'object' ? d.payload : {}) as { version?: string; kind?: string };
    lines.push(
      `  #${d.id} ${d.environment} ${payload.version ?? d.ref} (${payload.kind ?? 'deploy'}): ${statuses.map((s) => s.state).join(' → ') || 'no status'}`,
    );
  }
  if (!r.gh.state.deployments.length) lines.push('  none');
  lines.push(
    `the suite pinned at ${r.pinned}; ${r.gh.tokensIssued} job tokens issued; ${r.gh.denials.length} request(s) refused for permissions${r.gh.denials.map((d) => ` (${d.method} ${d.route} lacks ${d.lacks})`).join('')}; ${r.gh.limits?.refused.length ?? 0} refused by a rate limit`,
  );
  const missed = r.outcomes.filter((o) => !o.ok).length;
  if (missed) lines.push(`✘ ${missed} step(s) did not end as the plan expects`);
  if (r.load?.failed)
    lines.push(
      `✘ ${r.load.failed} user request(s) failed: ${r.load.failures
        .slice(0, 3)
        .map((f) => f.reason)
        .join('; ')}`,
    );
  if (r.ok) lines.push('✔ every step ended as the plan expects');
  return lines;
}
