/** The job summary of a test run: totals, failures with messages, flaky and slowest tests. */
import type { Collected, Verdict } from './collect.js';

/**
 * Test names and messages come from the code under test: in the job summary they must not
 * format anything (links, images, headings, tables, HTML). Control characters go, and every
 * character markdown or HTML could read as syntax becomes a numeric entity, which renders as
 * itself in markdown text, in HTML blocks and in table cells alike.
 */
/** Control characters (C0 and C1) but tab and newline. */
const CONTROL = /[^\P{Cc}\t\n]/gu;

export function neutral(s: string): string {
  return s
    .replace(CONTROL, '')
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[&<>"'`*_[\]()#!|~\\@{}:=+-]/g, (c) => `&#${c.charCodeAt(0)};`);
}
const esc = neutral;
/** Text shown verbatim in a code fence: only control characters and fences are neutralised. */
const fenced = (s: string) => s.replace(CONTROL, '').replace(/```/g, "'''");

export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m ${Math.round(s % 60)}s`;
}

export function renderTestSummary(title: string, c: Collected, verdict: Verdict, maxFailures = 50): string {
  const t = c.totals;
  const icon = verdict.conclusion === 'success' ? '✅' : '❌';
  const out = [
    `## ${icon} ${esc(title)}`,
    '',
    `| tests | passed | failed | errors | skipped | flaky | duration | reports |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    `| ${t.total} | ${t.passed} | ${t.failed} | ${t.errors} | ${t.skipped} | ${t.flaky} | ${formatSeconds(t.duration)} | ${c.files.length} |`,
    '',
  ];
  if (verdict.reason) out.push(`**Failed:** ${esc(verdict.reason)}`, '');
  if (c.problems.length) {
    out.push('### Reports that could not be read', '', ...c.problems.map((p) => `- ${esc(p.message)}`), '');
  }
  if (c.failures.length) {
    out.push(`### Failed tests (${t.failed + t.errors})`, '');
    for (const f of c.failures.slice(0, maxFailures)) {
      const where = f.file ? ` — ${esc(f.file)}${f.line ? `&#58;${f.line}` : ''}` : '';
      const name = f.classname ? `${esc(f.classname)} › ${esc(f.name)}` : esc(f.name);
      out.push(`<details><summary>${f.outcome === 'error' ? '💥' : '❌'} ${name}${where}</summary>`, '');
      if (f.message) out.push(`**${esc(f.message.split('\n')[0] ?? '')}**`, '');
      if (f.details) out.push('```', fenced(f.details.slice(0, 4000)), '```', '');
      out.push('</details>', '');
    }
    const shown = Math.min(c.failures.length, maxFailures);
    if (t.failed + t.errors > shown) out.push(`_… and ${t.failed + t.errors - shown} more failed tests._`, '');
  }
  if (c.flaky.length) {
    out.push(
      `### Flaky tests (${t.flaky}): failed, then passed on retry`,
      '',
      ...c.flaky.slice(0, 50).map((n) => `- ${esc(n)}`),
      ...(t.flaky > Math.min(c.flaky.length, 50) ? [`- _… and ${t.flaky - Math.min(c.flaky.length, 50)} more._`] : []),
      '',
    );
  }
  if (c.slowest.length) {
    out.push(
      '### Slowest tests',
      '',
      '| test | time |',
      '| --- | ---: |',
      ...c.slowest.map((s) => `| ${esc(s.name)} | ${formatSeconds(s.time)} |`),
      '',
    );
  }
  return out.join('\n');
}
