/** The GitHub REST emulator: one repository, backed by a bare git repository on disk. */
import { HttpEmulator, type Handler, type Request } from './server.js';
import { error } from './objects.js';
import { registerGitRoutes } from './routes-git.js';
import { registerReleaseRoutes, type StoredAsset, type StoredRelease } from './routes-releases.js';
import { registerDeploymentRoutes, type StoredDeployment, type StoredStatus } from './routes-deployments.js';
import { registerArtifactRoutes } from './routes-artifacts.js';
import { registerRepoRoutes } from './routes-repo.js';
import type { ArtifactService } from '../artifacts/service.js';

export interface EmulatorOptions {
  /** Path of the bare repository that stands for the GitHub repository. */
  remote: string;
  owner?: string;
  repo?: string;
}

export class GitHubEmulator extends HttpEmulator {
  readonly remote: string;
  readonly owner: string;
  readonly repo: string;
  readonly state = {
    releases: [] as StoredRelease[],
    assets: [] as StoredAsset[],
    deployments: [] as StoredDeployment[],
    statuses: [] as StoredStatus[],
  };
  private id = 1000;

  constructor(options: EmulatorOptions) {
    super();
    this.remote = options.remote;
    this.owner = options.owner ?? 'octo-org';
    this.repo = options.repo ?? 'service';
    registerRepoRoutes(this);
    registerGitRoutes(this);
    registerReleaseRoutes(this);
    registerDeploymentRoutes(this);
  }

  static async start(options: EmulatorOptions): Promise<GitHubEmulator> {
    const gh = new GitHubEmulator(options);
    await gh.start();
    return gh;
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  get repoUrl(): string {
    return `${this.url}/repos/${this.owner}/${this.repo}`;
  }

  nextId(): number {
    return ++this.id;
  }

  /** Serves the workflow-artifact REST endpoints from an artifact service's store. */
  useArtifacts(service: ArtifactService): this {
    registerArtifactRoutes(this, service);
    return this;
  }

  /** A route under /repos/{owner}/{repo}: other repositories answer 404. */
  repoRoute(method: string, template: string, handler: Handler, options: { prefix?: string } = {}): void {
    this.route(
      method,
      template,
      (req) => (req.params.owner === this.owner && req.params.repo === this.repo ? handler(req) : error(404, 'Not Found')),
      options,
    );
  }

  /** `per_page` (default 30, max 100) and `page` as GitHub paginates. */
  page<T>(req: Request, items: T[]): T[] {
    const per = Math.min(Number(req.query.get('per_page') ?? 30) || 30, 100);
    const page = Math.max(Number(req.query.get('page') ?? 1) || 1, 1);
    return items.slice((page - 1) * per, page * per);
  }
}
