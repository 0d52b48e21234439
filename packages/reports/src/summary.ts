/** The job summary of a test run: totals, failures with messages, flaky and slowest tests. */
import type { Collected, Verdict } from './collect.js';

const esc = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

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
      const where = f.file ? ` — \`${esc(f.file)}${f.line ? `:${f.line}` : ''}\`` : '';
      const name = f.classname ? `${esc(f.classname)} › ${esc(f.name)}` : esc(f.name);
      out.push(`<details><summary>${f.outcome === 'error' ? '💥' : '❌'} ${name}${where}</summary>`, '');
      if (f.message) out.push(`**${esc(f.message.split('\n')[0] ?? '')}**`, '');
      if (f.details) out.push('```', f.details.slice(0, 4000).replace(/```/g, "'''"), '```', '');
      out.push('</details>', '');
    }
    if (c.failures.length > maxFailures) out.push(`_… and ${c.failures.length - maxFailures} more failed tests._`, '');
  }
  if (c.flaky.length) {
    out.push(`### Flaky tests (${c.flaky.length}): failed, then passed on retry`, '', ...c.flaky.slice(0, 50).map((n) => `- ${esc(n)}`), '');
  }
  if (c.slowest.length) {
    out.push('### Slowest tests', '', '| test | time |', '| --- | ---: |', ...c.slowest.map((s) => `| ${esc(s.name).replace(/\|/g, '\\|')} | ${formatSeconds(s.time)} |`), '');
  }
  return out.join('\n');
}
