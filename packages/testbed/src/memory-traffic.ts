/**
 * A traffic layer held in memory, for state machines run in-process: it routes what it was last
 * told (by version, as a command or an API answers), so the suite's read-back has a real answer
 * to check. `onSet` sees each split; a test that makes it throw models a layer that refuses.
 * Before any split it routes `initial` (nothing by default: a read-back before a move fails).
 */
import type { Route, Split, TrafficProvider } from '@rollgate/traffic';

export class MemoryTraffic implements TrafficProvider {
  readonly name: string;
  private routed: Route[];
  constructor(
    private readonly onSet: (split: Split) => void | Promise<void> = () => {},
    options: { name?: string; initial?: Route[] } = {},
  ) {
    this.name = options.name ?? 'memory';
    this.routed = options.initial ?? [];
  }

  async setSplit(split: Split): Promise<void> {
    await this.onSet(split);
    this.routed = [
      { version: split.stable.version, weight: 100 - split.canaryWeight },
      { version: split.canary.version, weight: split.canaryWeight },
    ].filter((r) => r.weight > 0);
  }

  async routes(): Promise<Route[]> {
    return this.routed.map((r) => ({ ...r }));
  }

  /** Makes the layer route something else behind the suite's back (a hand edit, a restart). */
  divert(routes: Route[]): void {
    this.routed = routes;
  }
}
