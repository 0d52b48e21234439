/**
 * One package of a monorepo through pipeline.yml, run by the local workflow runner: only
 * commits under `package-path` release, under its own `tag-prefix`, and only a release is
 * delivered (examples/router serves it, so nothing needs to be installed).
 */
import { describe, expect, it } from '@jest/globals';
import { commit, freePort, git, startLoad } from '@rollgate/testbed';
import { openRoad, pipelineInputs, project, roadRunner, stopRoad } from '../../roads/pipeline/scenario.js';
import { startServing } from '../../roads/pipeline/serving.js';

/** The sample service at the root, and two packages: api (the one delivered) and web. */
function monorepo(remote: string): string {
  const dir = project(remote);
  commit(dir, 'feat(api): the first endpoint', { 'api/routes.txt': 'GET /\n' });
  commit(dir, 'feat(web): a landing page', { 'web/index.html': '<h1>hi</h1>\n' });
  git(dir, ['push', '-q', 'origin', 'main']);
  return dir;
}

describe('pipeline.yml with package-path and tag-prefix (one package of a monorepo)', () => {
  it("releases and delivers the package's own commits only", async () => {
    const lines: string[] = [];
    const [a, b] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const { deploy, remote, work, gh, artifacts } = await openRoad(monorepo);
    const serving = await startServing('command', a, [a, b]);
    const runner = roadRunner({
      remote,
      gh,
      artifacts,
      work,
      log: (l) => lines.push(l),
      vars: { DEPLOY_COMMAND: deploy.command, ...serving.vars },
    });
    const pipeline = (canary: string, stable: string) =>
      runner.run({
        file: '.github/workflows/pipeline.yml',
        event: 'workflow_call',
        inputs: {
          ...pipelineInputs(serving, deploy.command, canary, stable),
          'floating-tags': 'false',
          'package-path': 'api',
          'tag-prefix': 'api-v',
        },
      });
    const push = (message: string, files: Record<string, string>) => {
      commit(work, message, files);
      git(work, ['push', '-q', 'origin', 'main']);
      (runner.env as { sha: string }).sha = git(work, ['rev-parse', 'HEAD']);
    };
    let load: ReturnType<typeof startLoad> | undefined;
    try {
      const first = await pipeline(a, '');
      // Users arrive once the first release is live: the canary compares the two under load.
      load = startLoad(`http://${serving.address}/`, 30, 300_000);
      expect({ conclusion: first.conclusion, log: lines.join('\n') }).toMatchObject({ conclusion: 'success' });
      expect(first.outputs).toMatchObject({ version: '0.1.0', tag: 'api-v0.1.0' });
      push('feat(web): a footer', { 'web/footer.html': '<footer/>\n' });
      const web = await pipeline(b, a);
      expect(web.conclusion).toBe('success');
      expect(web.jobs.release?.outputs.released).toBe('false');
      expect(web.jobs.canary?.conclusion).toBe('skipped');
      push('fix(api): answer HEAD too', { 'api/routes.txt': 'GET /\nHEAD /\n' });
      const fix = await pipeline(b, a);
      expect({ conclusion: fix.conclusion, log: lines.join('\n') }).toMatchObject({ conclusion: 'success' });
      expect(fix.outputs).toMatchObject({ version: '0.1.1', tag: 'api-v0.1.1' });
      expect(git(remote, ['tag', '--list']).split('\n').sort()).toEqual(['api-v0.1.0', 'api-v0.1.1']);
      expect(gh.state.releases.find((r) => r.tag_name === 'api-v0.1.1')?.body).not.toContain('footer');
      // Read back: the router sends every request to the package's new release.
      expect(serving.weights()).toEqual({ [b]: expect.objectContaining({ version: '0.1.1', weight: 100 }) });
      const records = gh.state.deployments.map(
        (d) => d.payload as { version: string; artifact: { release_tag?: string } },
      );
      expect(records.map((p) => [p.version, p.artifact.release_tag])).toEqual([
        ['0.1.0', 'api-v0.1.0'],
        ['0.1.1', 'api-v0.1.1'],
      ]);
      expect((await load.stop()).failed).toBe(0);
    } finally {
      await stopRoad({ load, pids: deploy.pids, serving, artifacts, gh, work });
    }
  }, 300_000);
});
