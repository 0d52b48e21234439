/**
 * The Node.js the runner starts an action with. `runs.using: node24` means Node 24 on GitHub's
 * runners, whatever Node the test machine has: the preflight (scripts/preflight.mjs) fetches
 * Node's own build from the npm registry (`node-<platform>-<arch>@24`, a tarball with bin/node)
 * into node_modules/.cache/rollgate/node24 once, and the harness starts every bundle with it.
 * ROLLGATE_BUNDLE_NODE=<path> (or `system`, this process's Node) overrides it, for a pass on
 * the lowest Node of the `engines` range.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NODE24_CACHE = join(
  resolve(import.meta.dirname, '..', '..', '..'),
  'node_modules',
  '.cache',
  'rollgate',
  'node24',
);

export function runtimeNode(using: string): string {
  const override = process.env.ROLLGATE_BUNDLE_NODE;
  if (override) return override === 'system' ? process.execPath : override;
  if (using !== 'node24') throw new Error(`runs.using: ${using} is not what the suite's actions use (node24)`);
  const bin = join(NODE24_CACHE, 'bin', 'node');
  if (!existsSync(bin))
    throw new Error(
      `Node 24 (runs.using: node24) is not in ${NODE24_CACHE}: run node scripts/preflight.mjs, which fetches it from the npm registry`,
    );
  return bin;
}
