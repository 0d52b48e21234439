/**
 * The docs stand in a clone: every link of every Markdown file the repository holds is a web
 * address or a file inside the repository that exists. A link that leaves the repository is
 * reported from its path alone: the test reads nothing outside the repository.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './lib/manifest.js';

const markdown = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .stdout.split('\n')
  .filter((f) => f && !f.includes('/fixtures/') && !f.includes('/corpus/') && existsSync(join(ROOT, f)));

/** Where each relative link of `file` points that is outside the repository or missing. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = (m[1] as string).split('#')[0] as string;
    if (!target || /^[a-z]+:/i.test(target)) continue;
    const path = resolve(dirname(join(ROOT, file)), decodeURI(target));
    if (relative(ROOT, path).startsWith('..')) broken.push(`${file}: ${m[1]} (outside the repository)`);
    else if (!existsSync(path)) broken.push(`${file}: ${m[1]} (missing)`);
  }
  return broken;
}

describe('the docs', () => {
  it('are found', () => expect(markdown).toEqual(expect.arrayContaining(['README.md', 'rehearse/README.md'])));

  it('link only to web addresses and to files inside the repository that exist', () => {
    expect(markdown.flatMap(brokenLinks)).toEqual([]);
  });
});
