/** Where a failure happened, for an annotation: the report's file/line, else the first stack frame in the workspace. */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Failure } from './tally.js';

/** `:<line>` after a path; the path is read backwards from it, at most MAX_PATH characters. */
const LINE_REF = /:(\d+)/g;
const MAX_PATH = 1024;
const STOP = new Set([' ', '\t', '\n', '\r', '(', ')', ':', "'", '"', '<', '>']);
const PATH =
  /^(?:file:\/\/)?((?:(?:\/|[A-Za-z]:[\\/]|\.{1,2}[\\/]|\.{0,2}[\w@-][\w.@-]*[\\/])[^\s():'"<>]*\.[A-Za-z0-9]+)|[\w@-][\w.@-]*\.[A-Za-z][A-Za-z0-9]*)$/;

/**
 * Stack frames `path/to/file.ext:12(:3)` in a text, in order. Linear in the text: each
 * `:<digits>` is found once and the path before it is read back over at most MAX_PATH
 * characters, so a long token without a path costs one pass (a regex that scans forward
 * for a path from every position would be quadratic in it).
 */
export function* frames(text: string): Generator<{ file: string; line: number }> {
  for (const m of text.matchAll(LINE_REF)) {
    const colon = m.index as number;
    let start = colon;
    const floor = Math.max(0, colon - MAX_PATH);
    while (start > floor && !STOP.has(text[start - 1] as string)) start--;
    // `file://` and Windows drives carry a colon of their own.
    if (
      start >= 2 &&
      text[start - 1] === ':' &&
      /^[A-Za-z]$/.test(text[start - 2] as string) &&
      (start < 3 || STOP.has(text[start - 3] as string))
    )
      start -= 2;
    else if (start >= 5 && text.slice(start - 5, start) === 'file:') start -= 5;
    const path = PATH.exec(text.slice(start, colon));
    if (path) yield { file: path[1] as string, line: Number(m[1]) };
  }
}

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
    for (const frame of frames(text)) {
      const file = inWorkspace(frame.file, workspace);
      if (file) return { file, line: frame.line };
    }
  }
  return {};
}
