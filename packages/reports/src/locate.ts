/** Where a failure happened, for an annotation: the report's file/line, else the first stack frame in the workspace. */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Failure } from './tally.js';

const FRAME = /(?:file:\/\/)?((?:\/|[A-Za-z]:[\\/]|\.{0,2}[\w@-][\w.@-]*[\\/])[^\s():'"<>]*\.[A-Za-z0-9]+):(\d+)(?::\d+)?/g;

function inWorkspace(file: string, workspace: string): string | undefined {
  const rel = relative(workspace, isAbsolute(file) ? file : resolve(workspace, file));
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || /(^|[\\/])node_modules[\\/]/.test(rel)) return undefined;
  return rel.split('\\').join('/');
}

export function locate(f: Failure, workspace: string): { file?: string; line?: number } {
  if (f.file) {
    const file = inWorkspace(f.file, workspace);
    if (file) return { file, ...(f.line ? { line: f.line } : {}) };
  }
  for (const text of [f.details, f.message]) {
    if (!text) continue;
    for (const m of text.matchAll(FRAME)) {
      const file = inWorkspace(m[1] as string, workspace);
      if (file) return { file, line: Number(m[2]) };
    }
  }
  return {};
}
