/**
 * Pictures of a rollout for its job summary, in Mermaid, which GitHub renders in Markdown
 * (job summaries included):
 * https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams
 * - one chart per check: per step, the worst canary reading against the check's threshold
 *   (the highest for `max`, the lowest for `min`), or the canary's median against stable's for
 *   a baseline comparison. A step without a numeric reading is left off the chart and named
 *   under it: no data is never drawn as a value.
 * - the traffic (a canary's weight per step) or the batches (which targets, what happened).
 * Every text drawn is reduced to a plain set of characters (names come from the user's
 * inputs: no quote, bracket, `%%` directive or markdown can reach the diagram or the page),
 * and every number drawn is finite.
 */
import type { Check, LoggedReading } from '@rollgate/analysis';

/** Letters, digits, space and `._:/%+-` (`%%` folded to `%`), at most 60 characters: what a Mermaid label can hold as text. */
export function chartText(s: string): string {
  const plain = s
    .replace(/[^\p{L}\p{N} ._:/+%-]/gu, ' ')
    .replace(/%+/g, '%')
    .replace(/\s+/g, ' ')
    .trim();
  return (plain || '-').slice(0, 60);
}

const num = (n: number) => String(Number(n.toPrecision(6)));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const block = (lines: string[]) => ['```mermaid', ...lines, '```', ''].join('\n');

/** Steps in the order they were judged, each with the finite readings of one check and role. */
function byStep(readings: LoggedReading[], check: string, role: 'canary' | 'stable') {
  const steps = new Map<string, number[]>();
  for (const r of readings) {
    if (r.check !== check) continue;
    if (!steps.has(r.step)) steps.set(r.step, []);
    if (r.role === role && r.reading.kind === 'value' && Number.isFinite(r.reading.value))
      (steps.get(r.step) as number[]).push(r.reading.value);
  }
  return steps;
}

/** One xychart per check that has readings; markdown, empty when nothing was measured. */
export function checkCharts(checks: Check[], readings: LoggedReading[]): string {
  const out: string[] = [];
  for (const check of checks) {
    const canary = byStep(readings, check.name, 'canary');
    if (!canary.size) continue;
    const stable = byStep(readings, check.name, 'stable');
    const baseline = check.compare === 'baseline';
    const pick = (xs: number[]) =>
      baseline ? median(xs) : check.max === undefined && check.min !== undefined ? Math.min(...xs) : Math.max(...xs);
    const shown = [...canary].filter(
      ([step, xs]) => xs.length > 0 && (!baseline || (stable.get(step)?.length ?? 0) > 0),
    );
    const missing = [...canary.keys()].filter((step) => !shown.some(([s]) => s === step));
    const what = baseline
      ? 'canary median (line 1) against stable median (line 2)'
      : `${check.max === undefined && check.min !== undefined ? 'lowest' : 'highest'} canary reading per step (line 1) against ${check.max !== undefined ? `max ${num(check.max)}` : `min ${num(check.min as number)}`} (line 2${check.max !== undefined && check.min !== undefined ? `, min ${num(check.min)} line 3` : ''})`;
    out.push(`**${chartText(check.name)}**: ${what}.`);
    if (!shown.length) {
      out.push(`_No numeric reading in any step (${missing.map(chartText).join(', ')}): nothing to draw._\n`);
      continue;
    }
    const values = shown.map(([, xs]) => pick(xs));
    const lines = [values];
    if (baseline) lines.push(shown.map(([step]) => median(stable.get(step) as number[])));
    else {
      if (check.max !== undefined) lines.push(shown.map(() => check.max as number));
      if (check.min !== undefined) lines.push(shown.map(() => check.min as number));
    }
    const all = lines.flat();
    const lo = Math.min(0, ...all);
    const hi = Math.max(...all);
    out.push(
      block([
        'xychart-beta',
        `  title "${chartText(check.name)}"`,
        `  x-axis [${shown.map(([step]) => `"${chartText(step)}"`).join(', ')}]`,
        `  y-axis "value" ${num(lo)} --> ${num(hi > lo ? hi + (hi - lo) * 0.1 : lo + 1)}`,
        ...lines.map((l) => `  line [${l.map(num).join(', ')}]`),
      ]),
    );
    if (missing.length)
      out.push(`_No numeric reading in step ${missing.map(chartText).join(', ')}: left off the chart._\n`);
  }
  return out.join('\n');
}

/** A canary's traffic share per step, as bars. */
export function trafficChart(steps: { weight: number; outcome: string }[]): string {
  if (!steps.length) return '';
  return block([
    'xychart-beta',
    '  title "Canary traffic per step"',
    `  x-axis [${steps.map((s, i) => `"${i + 1}: ${chartText(s.outcome)}"`).join(', ')}]`,
    '  y-axis "% of requests" 0 --> 100',
    `  bar [${steps.map((s) => num(Math.min(100, Math.max(0, s.weight)))).join(', ')}]`,
  ]);
}

/** A phased release's batches in order: their targets, and which passed, failed or never ran. */
export function batchChart(batches: { index: number; targets: string[]; outcome: string }[], count: number): string {
  const nodes: string[] = [];
  for (let i = 1; i <= count; i++) {
    const b = batches.find((x) => x.index === i);
    const targets = b ? b.targets.map(chartText).join(' ') : '';
    const label = b ? `batch ${i}: ${b.outcome}${targets ? ` - ${targets}` : ''}` : `batch ${i}: not run`;
    nodes.push(
      `  b${i}["${chartText(label).slice(0, 60)}"]:::${b ? (b.outcome === 'released' ? 'ok' : 'bad') : 'idle'}`,
    );
  }
  return block([
    'flowchart LR',
    ...nodes,
    ...(count > 1 ? [`  ${Array.from({ length: count }, (_, i) => `b${i + 1}`).join(' --> ')}`] : []),
    '  classDef ok fill:#dafbe1,stroke:#1a7f37',
    '  classDef bad fill:#ffebe9,stroke:#cf222e',
    '  classDef idle fill:#f6f8fa,stroke:#8c959f',
  ]);
}

/** The summary's pictures: the progression, then one chart per check (markdown). */
export function rolloutCharts(progress: string, checks: Check[], readings: LoggedReading[]): string {
  const charts = checkCharts(checks, readings);
  return `\n### Progress\n\n${progress}${charts ? `\n### Checks\n\n${charts}` : ''}`;
}
