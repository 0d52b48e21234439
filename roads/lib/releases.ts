/**
 * The sample service (examples/service/server.mjs) published as a GitHub release of the
 * emulator, as the release action leaves it: a tag pushed to the remote and a `.tar.gz` asset
 * holding server.mjs and VERSION, with the digest a record names.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, git, type GitHubEmulator } from '@rollgate/testbed';

export interface Published {
  /** The artifact's name (the asset is `<name>.tar.gz`). */
  name: string;
  digest: string;
  /** The folder holding the built files (server.mjs, VERSION). */
  dir: string;
}

/** Publishes `version` (serving `errorRate` of its requests as 500s) from the clone `seedDir`. */
export function publishRelease(gh: GitHubEmulator, seedDir: string, version: string, errorRate = 0): Published {
  const dir = mkdtempSync(join(tmpdir(), `svc-${version}-`));
  const server = readFileSync(join(REPO_ROOT, 'examples', 'service', 'server.mjs'), 'utf8');
  writeFileSync(
    join(dir, 'server.mjs'),
    errorRate
      ? server.replace('#!/usr/bin/env node', `#!/usr/bin/env node\nprocess.env.ERROR_RATE = '${errorRate}';`)
      : server,
  );
  writeFileSync(join(dir, 'VERSION'), `${version}\n`);
  const archive = join(dir, 'archive.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', dir, 'server.mjs', 'VERSION']);
  const data = readFileSync(archive);
  const name = `service-${version}`;
  const at = new Date().toISOString();
  const releaseId = gh.nextId();
  gh.state.releases.push({
    id: releaseId,
    tag_name: `v${version}`,
    target_commitish: 'main',
    name: `v${version}`,
    body: '',
    draft: false,
    prerelease: false,
    created_at: at,
    published_at: at,
  });
  gh.state.assets.push({
    id: gh.nextId(),
    releaseId,
    name: `${name}.tar.gz`,
    label: null,
    contentType: 'application/gzip',
    data,
    createdAt: at,
  });
  git(seedDir, ['tag', `v${version}`]);
  git(seedDir, ['push', '-q', 'origin', `v${version}`]);
  return { name, digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, dir };
}
