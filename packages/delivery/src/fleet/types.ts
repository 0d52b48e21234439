/** What the fleet's code shares with the rollouts that use it: releases, the deployer port, what a restore needs. */
import type { ArtifactRef } from '@rollgate/github';
import type { Clock, Logger } from '@rollgate/kit';
import type { Fleet } from '@rollgate/traffic';
import type { Target } from './plan.js';
import type { Probe } from './health.js';

/** A release a target can be given: its version and the artifact it is built from. */
export interface Release {
  version: string;
  artifact?: ArtifactRef;
}

/** Puts a release on one target (the user's deploy command, given the verified artifact). */
export interface Deployer {
  deploy(target: Target, release: Release): Promise<void>;
}

/** Whether a target answers: how it is asked, and how long it has after a deploy. */
export interface HealthPorts {
  /** A URL template (`{address}` is the target's ip:port) that must answer 2xx; else a TCP connection. */
  healthUrl?: string;
  /** How long a deployed target has to answer (default 60 s). */
  healthTimeoutMs?: number;
  /** Whether a target answers and what it reports running (default: healthUrl, else a TCP connection). */
  probe?: (target: Target, healthUrl: string | undefined) => Promise<Probe>;
  clock?: Clock;
  signal?: AbortSignal;
}

/** What putting a release on targets needs: the load balancer, the deployer and the health check. */
export interface RestorePorts extends HealthPorts {
  fleet: Fleet;
  deployer: Deployer;
  logger: Logger;
  /** How many targets are deployed at once (default 1). */
  maxParallel?: number;
}

/** What a fleet rollout left mid-way, for whoever undoes it (the post step, an abort). */
export interface FleetInflight {
  deploymentId: number;
  version: string;
  previous?: Release;
  /** Targets that may run the new version (or be half-deployed). */
  changed: Target[];
  /** Targets out of the load balancer now. */
  drained: Target[];
  batch: { index: number; count: number };
}
