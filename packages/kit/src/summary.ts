/** Markdown rendering for job summaries. Pure string functions. */

/** GitHub refuses a step summary over 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const head = `| ${headers.map(escapeCell).join(' | ')} |`;
  const rule = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((r) => `| ${r.map((c) => escapeCell(String(c))).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>\n`;
}

export function codeBlock(text: string, lang = ''): string {
  const fence = text.includes('```') ? '````' : '```';
  return `${fence}${lang}\n${text}\n${fence}\n`;
}

/**
 * Cuts markdown to fit `limit` bytes (UTF-8), on a line boundary, with a note saying
 * how much was left out.
 */
export function fitToBytes(markdown: string, limit = SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown) <= limit) return markdown;
  const note = (n: number) => `\n\n_… ${n} more lines left out to stay under the job summary limit._\n`;
  const lines = markdown.split('\n');
  let used = Buffer.byteLength(note(lines.length));
  let kept = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (used + size > limit) break;
    used += size;
    kept += 1;
  }
  return lines.slice(0, kept).join('\n') + note(lines.length - kept);
}
