/**
 * Where each release stands in each environment of a chain, for the job summary: a table (a
 * row per version, a column per environment) and a Mermaid diagram of the chain with what is
 * live in each. Read from the trusted records after the rollout, never from what this run
 * meant to do.
 */
import { table } from '@rollgate/kit';
import type { DeploymentRecord, EnvironmentState, ReleaseRecords } from '@rollgate/github';

/** How one version stands in one environment: its newest trusted record there. */
function standing(state: EnvironmentState, version: string): string {
  const record = state.records.find((r) => r.payload.version === version);
  if (!record) return '—';
  if (state.live?.id === record.id) return `🟢 live (deployment ${record.id})`;
  const word: Record<DeploymentRecord['state'], string> = {
    success: 'replaced',
    inactive: 'replaced',
    failure: '🔴 failed',
    error: '🔴 error',
    in_progress: '🟡 rolling out',
    queued: '🟡 queued',
    pending: '🟡 pending',
    none: '🟡 started',
  };
  return `${word[record.state]} (deployment ${record.id})`;
}

const label = (s: string) => s.replace(/["<>]/g, '');

/** The chain's table and diagram, environments in chain order. */
export function chainSummary(states: EnvironmentState[], rows = 5): string {
  const versions: string[] = [];
  for (const state of [...states].reverse())
    for (const r of state.records) if (!versions.includes(r.payload.version)) versions.push(r.payload.version);
  const shown = versions.slice(0, rows);
  const nodes = states.map(
    (s, i) =>
      `  e${i}["${label(s.environment)}<br/>${s.live ? `${label(s.live.payload.version)} live` : 'nothing live'}"]`,
  );
  const edges = states.slice(1).map((_, i) => `  e${i} --> e${i + 1}`);
  return (
    `### The chain: ${states.map((s) => s.environment).join(' → ')}\n\n` +
    table(
      ['version', ...states.map((s) => s.environment)],
      shown.map((v) => [v, ...states.map((s) => standing(s, v))]),
    ) +
    `\n\`\`\`mermaid\nflowchart LR\n${[...nodes, ...edges].join('\n')}\n\`\`\`\n`
  );
}

/** The chain as the records say after the rollout (each environment read again), or why it cannot be said. */
export async function chainSection(environments: ReleaseRecords[]): Promise<string> {
  try {
    const states: EnvironmentState[] = [];
    for (const e of environments) states.push(await e.state());
    return chainSummary(states);
  } catch (error) {
    return `### The chain\n\nThe records of ${environments.map((e) => e.environment).join(' and ')} could not be read back for this table: ${(error as Error).message}\n`;
  }
}
