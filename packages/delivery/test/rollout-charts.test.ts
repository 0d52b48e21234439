/**
 * The summary's charts, checked with Mermaid's own parser (the `mermaid` package GitHub's
 * renderer is built on), in a process of its own (test/lib/mermaid-parse.mjs).
 */
import { describe, expect, it } from '@jest/globals';
import type { Check, LoggedReading } from '@rollgate/analysis';
import { batchChart, chartText, checkCharts, trafficChart } from '../src/judging/charts.js';
import { mermaidBlocks as blocks, parseMermaid } from '../../../test/lib/mermaid.js';

const parse = async (text: string) => {
  const [r] = parseMermaid([text]);
  if (r?.error !== undefined) throw new Error(r.error);
  return { diagramType: r?.type };
};

const value = (step: string, check: string, role: 'canary' | 'stable', v: number): LoggedReading => ({
  step,
  check,
  role,
  reading: { kind: 'value', value: v },
});
const noData = (step: string, check: string): LoggedReading => ({
  step,
  check,
  role: 'canary',
  reading: { kind: 'no-data', detail: 'NaN' },
});

const errorRate: Check = { name: 'error-rate', provider: 'prometheus', query: 'q', max: 0.05 };
const latency: Check = { name: 'latency-p90', provider: 'prometheus', query: 'q', compare: 'baseline' };

describe('rollout charts', () => {
  it('draws the worst canary reading per step against the threshold, and leaves a step without data off', async () => {
    const md = checkCharts(
      [errorRate],
      [
        value('10%', 'error-rate', 'canary', 0.01),
        value('10%', 'error-rate', 'canary', 0.03),
        noData('25%', 'error-rate'),
        value('50%', 'error-rate', 'canary', 0.2),
        noData('50%', 'error-rate'),
      ],
    );
    const [chart] = blocks(md);
    expect(chart).toContain('x-axis ["10%", "50%"]');
    expect(chart).toContain('line [0.03, 0.2]');
    expect(chart).toContain('line [0.05, 0.05]');
    expect(md).toContain('_No numeric reading in step 25%: left off the chart._');
    await expect(parse(chart as string)).resolves.toMatchObject({ diagramType: 'xychart' });
  });

  it('draws a baseline check as the canary median against stable, and no chart for a check that never had a number', async () => {
    const md = checkCharts(
      [latency, errorRate],
      [
        value('batch 1', 'latency-p90', 'canary', 0.2),
        value('batch 1', 'latency-p90', 'canary', 0.4),
        value('batch 1', 'latency-p90', 'stable', 0.1),
        value('batch 2', 'latency-p90', 'canary', 0.3),
        value('batch 2', 'latency-p90', 'stable', 0.1),
        value('batch 2', 'latency-p90', 'stable', 0.2),
        noData('batch 1', 'error-rate'),
      ],
    );
    const charts = blocks(md);
    expect(charts).toHaveLength(1);
    expect(charts[0]).toContain('line [0.3, 0.3]');
    expect(charts[0]).toContain('line [0.1, 0.15]');
    expect(md).toContain('_No numeric reading in any step (batch 1): nothing to draw._');
    await expect(parse(charts[0] as string)).resolves.toMatchObject({ diagramType: 'xychart' });
  });

  it('keeps hostile names from formatting the diagram or the page', async () => {
    const evil = 'x"] --> pwn["%%{init: {"theme":"dark"}}%% <img src=x onerror=alert(1)> [link](http://e) `code`\n# h';
    const md =
      checkCharts(
        [{ ...errorRate, name: evil }],
        [value(evil, evil, 'canary', 0.5), value('ok', evil, 'canary', Number.POSITIVE_INFINITY)],
      ) + batchChart([{ index: 1, targets: [evil], outcome: 'failed' }], 2);
    for (const chart of blocks(md)) {
      await expect(parse(chart)).resolves.toBeDefined();
      for (const label of chart.matchAll(/"([^"]*)"/g)) expect(label[1]).toMatch(/^[\p{L}\p{N} ._:/+%-]*$/u);
    }
    expect(md).not.toMatch(/%%|<img|\]\(|`code`|\n# h/);
    // Infinity is no reading to draw.
    expect(md).not.toContain('Infinity');
    expect(chartText('')).toBe('-');
  });

  it('draws a canary traffic progression and the batches of a phased release', async () => {
    const traffic = trafficChart([
      { weight: 10, outcome: 'passed' },
      { weight: 25, outcome: 'passed' },
      { weight: 100, outcome: 'promoted' },
    ]);
    expect(traffic).toContain('bar [10, 25, 100]');
    await expect(parse(blocks(traffic)[0] as string)).resolves.toMatchObject({ diagramType: 'xychart' });
    const batches = batchChart(
      [
        { index: 1, targets: ['web-1'], outcome: 'released' },
        { index: 2, targets: ['web-2', 'web-3'], outcome: 'failed' },
      ],
      3,
    );
    const [flow] = blocks(batches);
    expect(flow).toContain('b1["batch 1: released - web-1"]:::ok');
    expect(flow).toContain('b2["batch 2: failed - web-2 web-3"]:::bad');
    expect(flow).toContain('b3["batch 3: not run"]:::idle');
    expect(flow).toContain('b1 --> b2 --> b3');
    await expect(parse(flow as string)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    await expect(parse('xychart-beta\n  line [0.1, oops')).rejects.toThrow();
  });
});
