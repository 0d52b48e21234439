export * from './harness.js';
export * from './file-commands.js';
export * from './expressions.js';
export * from './git.js';
export { HttpEmulator, type Fault, type Reply, type Request, type Logged } from './github/server.js';
export { GitHubEmulator, type EmulatorOptions } from './github/emulator.js';
export { checkResponse, type Violation } from './github/openapi.js';
export { ArtifactService } from './artifacts/service.js';
export { ArtifactStore, type StoredArtifact } from './artifacts/store.js';
