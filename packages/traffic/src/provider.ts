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
  /** The programs it will run, by the input that names them: checked before anything moves. */
  readonly programs?: { input: string; argv: string[] }[];
  setSplit(split: Split): Promise<void>;
}
