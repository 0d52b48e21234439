/**
 * The rehearsal's own values in a plan's strings: `{{address.N}}` (a free loopback address for
 * a deploy), `{{pids}}` (the folder a deploy command writes its pid files to: the rehearsal
 * stops those processes at the end), `{{scratch}}` (a folder of the rehearsal's own),
 * `{{suite}}` (this checkout of the suite) and `{{serve.address}}` (where users' requests go
 * when the rehearsal serves). Other `{{…}}` are left as they are: the suite's own templates
 * (`{{version}}`, `{{interval}}` in metric queries) pass through.
 */
import { PlanError, type Plan } from './plan.js';

export interface Values {
  addresses: string[];
  pids: string;
  scratch: string;
  suite: string;
  serveAddress?: string;
}

const PLACEHOLDER = /\{\{\s*(address\.(\d+)|pids|scratch|suite|serve\.address)\s*\}\}/g;

/** `text` with the rehearsal's placeholders replaced by `values`. */
export function expand(text: string, values: Values): string {
  return text.replace(PLACEHOLDER, (_, name: string, n?: string) => {
    if (n !== undefined) return values.addresses[Number(n) - 1] as string;
    if (name === 'pids') return values.pids;
    if (name === 'scratch') return values.scratch;
    if (name === 'suite') return values.suite;
    return values.serveAddress as string;
  });
}

export function expandAll(map: Record<string, string>, values: Values): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, expand(v, values)]));
}

/** Every placeholder the plan uses can be filled: address.N within `addresses`, serve.address only when serving. */
export function checkPlaceholders(plan: Plan): void {
  const texts: [string, string][] = [
    ...Object.entries(plan.vars).map(([k, v]): [string, string] => [`vars.${k}`, v]),
    ...Object.entries(plan.secrets).map(([k, v]): [string, string] => [`secrets.${k}`, v]),
    ...Object.entries(plan.files).map(([k, v]): [string, string] => [`files.${k}`, v]),
    ...Object.entries(plan.environments).flatMap(([e, env]) =>
      Object.entries(env.vars).map(([k, v]): [string, string] => [`environments.${e}.vars.${k}`, v]),
    ),
    ...plan.steps.flatMap((s, i) =>
      s.kind === 'commit'
        ? Object.entries(s.files).map(([k, v]): [string, string] => [`steps[${i}].files.${k}`, v])
        : [...Object.entries(s.inputs), ...Object.entries(s.vars)].map(([k, v]): [string, string] => [
            `steps[${i}].${k}`,
            v,
          ]),
    ),
  ];
  for (const [where, text] of texts)
    for (const m of text.matchAll(PLACEHOLDER)) {
      const n = m[2] === undefined ? undefined : Number(m[2]);
      if (n !== undefined && (n < 1 || n > plan.addresses))
        throw new PlanError(`${where}: {{address.${n}}} but the plan has addresses: ${plan.addresses}`);
      if (m[1] === 'serve.address' && plan.serve === 'none')
        throw new PlanError(`${where}: {{serve.address}} but the plan serves nothing (serve: none)`);
    }
}
