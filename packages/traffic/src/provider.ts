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
  /**
   * What the traffic layer routes now, read back from it (not from what was asked): each
   * server taking requests and its share in percent. nginx and HAProxy read their own state;
   * the command provider runs `traffic-read-command`, the http provider GETs `traffic-url`.
   */
  routes(): Promise<Route[]>;
  /**
   * The URL users reach the service through (nginx's or HAProxy's listener, a public host):
   * when set, every read-back also sends requests through it and checks the versions answering.
   */
  entry?: string;
  /** The input that names how routes are read, when it is not the provider's own state (checked before anything moves). */
  readonly readInput?: string;
}

/**
 * One server or version the traffic layer sends requests to, and its share of them in percent:
 * by address (nginx, HAProxy), by version, or both (a command's or an API's answer).
 */
export interface Route {
  address?: string;
  version?: string;
  weight: number;
}

/** A server of a load balancer's pool, by the name the load balancer knows it by (and, when known, where it is). */
export interface PoolServer {
  name: string;
  address?: string;
}

/** What the load balancer holds for one server now. */
export interface PoolState {
  name: string;
  /** Taking requests from every instance of the load balancer: ready, running, at its address. */
  inRotation: boolean;
  /** Drained by an admin on every instance. */
  drainedEverywhere: boolean;
  /** What each instance holds, in a few words ("drained on /run/haproxy-b.sock"). */
  detail: string;
}

/**
 * A load balancer's pool of servers, taken out and put back one by one: what a phased
 * release needs where a fleet of instances serves one version at a time (no traffic split).
 */
export interface Fleet {
  readonly name: string;
  /** Every server is in the pool, at its address when given (checked before anything changes). */
  check(servers: PoolServer[]): Promise<void>;
  /** Out of the pool: no new requests; returns once their requests in flight are done (bounded). */
  drain(servers: PoolServer[]): Promise<void>;
  /** Back in the pool. */
  ready(servers: PoolServer[]): Promise<void>;
  /** What the load balancer holds for these servers now, read back from every instance. */
  inspect(servers: PoolServer[]): Promise<PoolState[]>;
  /**
   * Puts back what an instance lost: `drained` drained, `ready` in the pool (a load balancer
   * restarted without its runtime state). Returns a line per change made.
   */
  enforce(drained: PoolServer[], ready: PoolServer[]): Promise<string[]>;
}
