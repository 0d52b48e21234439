/** The job summary of a phased release: its batches, which target runs which version, and a chart per check. */
import { table } from '@rollgate/kit';
import { batchChart, rolloutCharts, truthTable, type PhasedResult } from '@rollgate/delivery';

const ICONS: Record<PhasedResult['outcome'], string> = {
  released: '✅',
  'rolled-back': '↩️',
  paused: '⏸️',
  aborted: '⏹️',
  reconciled: '🔧',
};

export function phasedSummary(
  version: string,
  result: PhasedResult,
  checks: Parameters<typeof rolloutCharts>[1],
  admitted?: string,
): string {
  const count = result.plan.length;
  const onNew = new Set(result.onNew);
  const next =
    result.outcome === 'paused'
      ? `\nPaused at its gate after batch ${result.batches.length}/${count}: continue it with promote.yml (kind: phased, action: promote), or abort it (action: abort).\n`
      : '';
  return (
    `## ${ICONS[result.outcome]} Phased release of ${version}: ${result.outcome}\n${next}\n` +
    (admitted ? `${admitted}\n\n` : '') +
    table(
      ['batch', 'targets', 'outcome', 'reason'],
      result.batches.map((b) => [`${b.index}/${count}`, b.targets.join(', '), b.outcome, b.reason ?? '']),
    ) +
    (result.fleet
      ? // What each target runs and whether it serves, read back from the load balancer and the targets.
        `\n**The fleet, read back:**\n\n${table(['target', 'address', 'reports', 'load balancer', 'answers'], truthTable(result.fleet))}`
      : `\n${table(
          ['target', 'address', 'version'],
          result.plan
            .flat()
            .map((t) => [
              t.name,
              t.address,
              onNew.has(t.name)
                ? version
                : (result.previous ?? (wasChanged(result, t.name) ? 'out of the load balancer' : 'none yet')),
            ]),
        )}`) +
    rolloutCharts(batchChart(result.batches, count), checks, result.readings)
  );
}

const wasChanged = (result: PhasedResult, name: string) => result.batches.some((b) => b.targets.includes(name));
