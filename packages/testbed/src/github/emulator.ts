/** The GitHub REST emulator: one repository, backed by a bare git repository on disk. */
import { EmulatorCore, type EmulatorOptions } from './core.js';
import { registerGitRoutes } from './routes-git.js';
import { registerReleaseRoutes } from './routes-releases.js';
import { registerDeploymentRoutes } from './routes-deployments.js';
import { registerArtifactRoutes } from './routes-artifacts.js';
import { registerRepoRoutes } from './routes-repo.js';
import { registerRunRoutes } from './routes-runs.js';
import { Environments } from './environments.js';
import type { ArtifactService } from '../artifacts/service.js';

export type { EmulatorOptions };

export class GitHubEmulator extends EmulatorCore {
  /** Environments and their protection rules (environments.ts); the workflow runner asks them before a job runs. */
  readonly environments: Environments;
  constructor(options: EmulatorOptions) {
    super(options);
    this.environments = new Environments(this);
    this.environments.register();
    registerRepoRoutes(this);
    registerGitRoutes(this);
    registerReleaseRoutes(this);
    registerDeploymentRoutes(this);
    registerRunRoutes(this);
  }

  static async start(options: EmulatorOptions): Promise<GitHubEmulator> {
    const gh = new GitHubEmulator(options);
    await gh.start();
    return gh;
  }

  /** Serves the workflow-artifact REST endpoints from an artifact service's store. */
  useArtifacts(service: ArtifactService): this {
    registerArtifactRoutes(this, service);
    return this;
  }
}
