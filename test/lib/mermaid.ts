/** Mermaid in markdown: the blocks of a text, and what Mermaid's own parser says of each (mermaid-parse.mjs). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const PARSER = resolve(import.meta.dirname, 'mermaid-parse.mjs');

/** Every ```mermaid block of a markdown text. */
export const mermaidBlocks = (md: string): string[] =>
  [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1] as string);

/** The diagram type Mermaid parses each text as, or its parse error. */
export function parseMermaid(texts: string[]): { type?: string; error?: string }[] {
  const r = spawnSync(process.execPath, [PARSER], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mermaid-parse: ${r.stderr}`);
  return JSON.parse(r.stdout) as { type?: string; error?: string }[];
}
