/**
 * What GitHub refuses before a run's first job: the run never starts, and GitHub says why.
 * - A workflow_dispatch with an input the workflow does not declare, without a required one,
 *   or with a choice outside its options: the dispatch API answers 422 ("Unexpected inputs
 *   provided", "Required input ... not provided") and no run is created.
 *   https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event
 * - A workflow file that is not valid, or a reusable workflow called with an input it does not
 *   declare: the run fails at startup ("The workflow is not valid").
 * - A reusable workflow whose job asks for more than the calling job grants: "The nested job
 *   'build' is requesting 'packages: write', but is only allowed 'packages: read'." GitHub
 *   checks every nested job before the run starts, even one an `if:` would skip.
 *   https://docs.github.com/en/actions/sharing-automations/reusing-workflows#access-and-permissions-for-nested-workflows
 */
import type { Access, Grants } from '../github/permissions.js';

/** A run GitHub would not start; `reason` is what GitHub says. */
export class RunRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RunRefused';
  }
}

const rank = (a: Access | undefined) => (a === 'write' ? 2 : a === 'read' ? 1 : 0);

/**
 * GitHub's refusal of a nested job that requests more than `allowed` (the calling job's
 * grants), or undefined. `requested` is the nested job's own permissions (else its
 * workflow's); a job that sets none inherits what it is allowed and is never refused.
 */
export function nestedPermissionRefusal(
  call: string,
  job: string,
  requested: Grants | undefined,
  allowed: Grants,
): string | undefined {
  if (!requested) return undefined;
  const over = Object.entries(requested).filter(([scope, access]) => rank(access) > rank(allowed[scope]));
  if (!over.length) return undefined;
  const asked = over.map(([scope, access]) => `${scope}: ${access}`).join(', ');
  const only = over.map(([scope]) => `${scope}: ${allowed[scope] ?? 'none'}`).join(', ');
  return `Error calling workflow '${call}'. The nested job '${job}' is requesting '${asked}', but is only allowed '${only}'.`;
}
