/**
 * A phased release's dry run: the same reads and checks a real run makes before its first
 * change (the records, the release at its gate, every target in the load balancer), and what
 * it would do; no record is written, no target drained or deployed.
 */
import { formatDuration } from '@rollgate/kit';
import { openOfThisVersion } from '../records/state.js';
import { abortScope, findOpenPhased, requirePaused } from './gate.js';
import type { Target } from '../fleet/plan.js';
import { rollbackTarget } from './start.js';
import type { PhasedConfig } from './types.js';

const list = (targets: Target[]) => targets.map((t) => t.name).join(', ');

const batchesText = (batches: Target[][], from: number) =>
  batches
    .slice(from)
    .map((b, i) => `${from + i + 1}: ${list(b)}`)
    .join('; ');

/** What the run would do, in one paragraph; throws the line a real run would fail with. */
export async function phasedDryRun(config: PhasedConfig): Promise<string> {
  const mode = config.mode ?? 'run';
  const checks = `${config.checks.length} check(s)`;
  if (mode === 'run') {
    const batches = config.batches ?? [];
    const state = await config.records.state();
    openOfThisVersion(config, state);
    const previous = rollbackTarget(state, config.version);
    await config.fleet.check(batches.flat());
    const pause =
      config.pause === 'manual'
        ? ', pausing after every batch but the last for promote.yml'
        : config.pause === 'first'
          ? ', pausing after the first batch for promote.yml'
          : '';
    return `Dry run: would release ${config.version} over ${previous?.version ?? 'nothing (a first release)'} on ${batches.flat().length} targets in ${batches.length} batches (${batchesText(batches, 0)}), judging ${checks} for ${formatDuration(config.intervalMs ?? 0)} per batch${pause}.`;
  }
  const found = await findOpenPhased(config);
  const id = found.record.id;
  const count = found.batches.length;
  if (mode === 'continue') {
    requirePaused(found, config.records);
    await config.fleet.check(found.batches.flat());
    const again = found.pause === 'manual' ? ', pausing again after each batch but the last' : '';
    return `Dry run: would continue the phased release of ${config.version} (deployment ${id}) after batch ${found.done}/${count} with batches ${batchesText(found.batches, found.done)}, judging ${checks} for ${formatDuration(found.intervalMs)} per batch${again}.`;
  }
  // In batch order, as a person reads it (the abort restores the possibly half-done batch last).
  const changed = found.batches.slice(0, abortScope(found).reach).flat();
  await config.fleet.check(found.batches.flat());
  return `Dry run: would abort the phased release of ${config.version} (deployment ${id}) after batch ${found.done}/${count}: ${found.previous?.version ?? 'nothing (no earlier release: the targets would leave the load balancer)'} back on ${changed.length ? list(changed) : 'no target'}.`;
}
