/**
 * The reviewers of a rehearsal: while a run is in flight, each job waiting for an environment's
 * required reviewers is reviewed through the pending-deployments API, as its first reviewer
 * would (approved or rejected). A job with no review given is rejected, with a comment saying
 * so, rather than left waiting forever.
 */
import type { GitHubEmulator, WorkflowResult } from '@rollgate/testbed';

export interface GivenReview {
  runId: number;
  environment: string;
  state: 'approved' | 'rejected';
  by: string;
}

export async function reviewing(
  gh: GitHubEmulator,
  run: Promise<WorkflowResult>,
  o: { state?: 'approved' | 'rejected'; comment?: string; log?: (line: string) => void; reviews?: GivenReview[] },
): Promise<WorkflowResult> {
  let done = false;
  const reviewer = (async () => {
    while (!done) {
      for (const w of gh.environments.waiting()) {
        const env = gh.environments.get(w.environment);
        const by = env?.reviewers?.[0];
        if (!env || !by) continue;
        const state = o.state ?? 'rejected';
        const comment = o.comment ?? (o.state ? `${state} by the rehearsal` : 'no review in the rehearsal plan');
        const res = await fetch(`${gh.repoUrl}/actions/runs/${w.runId}/pending_deployments`, {
          method: 'POST',
          headers: { authorization: `token ${gh.environments.userToken(by)}`, 'content-type': 'application/json' },
          body: JSON.stringify({ environment_ids: [env.id], state, comment }),
        });
        if (res.ok) {
          o.reviews?.push({ runId: w.runId, environment: w.environment, state, by });
          o.log?.(`  ${state === 'approved' ? '✔' : '✘'} ${w.environment}: ${state} by ${by} (${comment})`);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return await run;
  } finally {
    done = true;
    await reviewer;
  }
}
