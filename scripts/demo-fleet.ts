/**
 * The fleet's road of `npm run demo` (roads/pipeline/phased-road.ts): pipeline.yml with
 * release-style phased over six local instances behind a real HAProxy, judged on a real
 * Prometheus; promote.yml continues the paused release; rollback.yml restores the fleet.
 */
import { runPhasedRoad } from '../roads/pipeline/phased-road.js';

export async function fleetDemo(say: (line: string) => void): Promise<boolean> {
  say('the fleet: pipeline.yml with release-style phased, six instances behind HAProxy');
  const r = await runPhasedRoad(say);
  const fleet = (versions: string[]) => versions.map((v, i) => `${r.targets[i]?.name}=${v}`).join(' ');
  console.log('');
  say(
    `pipeline #1 (phased): ${r.first.conclusion}, ${r.first.outputs['phased-outcome'] ?? '-'}: ${fleet(r.versions.first)}`,
  );
  say(
    `pipeline #2 (pause: first): ${r.second.conclusion}, ${r.second.outputs['phased-outcome'] ?? '-'}: ${fleet(r.versions.paused)}`,
  );
  say(
    `promote.yml kind phased (dry run, then promote): ${r.dryRun.conclusion}, ${r.promote.conclusion}: ${fleet(r.versions.promoted)}`,
  );
  say(`rollback.yml with the fleet: ${r.rollback.conclusion}: ${fleet(r.versions.rolledBack)}`);
  say(`load: ${r.load.sent} requests through HAProxy, ${r.load.failed} failed, ${r.load.retried} retried`);
  const runs = [r.first, r.second, r.dryRun, r.promote, r.rollback];
  return runs.every((x) => x.conclusion === 'success') && r.load.failed === 0 && r.load.retried === 0;
}
