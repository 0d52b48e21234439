/** A traffic provider moves a share of requests between the stable and the canary version. */

export interface Backend {
  version: string;
  /** Where this version is served (nginx: host:port). */
  address?: string;
}

export interface Split {
  stable: Backend;
  canary: Backend;
  /** Percent of traffic on the canary, 0..100. */
  canaryWeight: number;
}

export interface TrafficProvider {
  readonly name: string;
  /**
   * Whether the backend addresses it routes to are reachable from the runner (nginx runs beside
   * it and is reloaded from it), so the canary can be checked with a TCP connection. Providers
   * that route elsewhere (a command, an HTTP API) leave it unset: only a health URL then.
   */
  readonly addressesReachable?: boolean;
  /** The programs it will run, by the input that names them: checked before anything moves. */
  readonly programs?: { input: string; argv: string[] }[];
  setSplit(split: Split): Promise<void>;
}
