export * from './harness.js';
export * from './file-commands.js';
export * from './expressions.js';
export * from './git.js';
export { HttpEmulator, type Fault, type Reply, type Request, type Logged } from './github/server.js';
export { GitHubEmulator, type EmulatorOptions } from './github/emulator.js';
export { Environments, type EnvironmentSettings } from './github/environments.js';
export { RateLimits, type LimitSettings } from './github/limits.js';
export { checkResponse, type Violation } from './github/openapi.js';
export { ArtifactService } from './artifacts/service.js';
export { ArtifactStore, type StoredArtifact } from './artifacts/store.js';
export * from './stack.js';
export {
  parsePermissions,
  cap,
  missing,
  needs,
  DEFAULT_GRANTS,
  type Grants,
  type Access,
} from './github/permissions.js';
export { ConcurrencyGroups } from './workflow/concurrency.js';
export { checkoutRef, snapshotRepository } from './workflow/remote-repos.js';
export { RunRefused, nestedPermissionRefusal } from './workflow/refusals.js';
export { firstFailure, type Failure } from './workflow/failures.js';
export { SUPPORTED_REMOTE } from './workflow/remote-actions.js';
export {
  WorkflowRunner,
  type RunnerEnv,
  type WorkflowResult,
  type JobResult,
  type WorkflowRunOptions,
} from './workflow/runner.js';
export * from './haproxy.js';
export { VirtualClock } from './clock.js';
export { runtimeNode, NODE24_CACHE } from './node-runtime.js';
export { MemoryTraffic } from './memory-traffic.js';
