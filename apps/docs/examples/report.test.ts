import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conv2Statistics } from './activationStats';
import { accuracyChart, featureMapsSvg } from './report';

const labResults = resolve(import.meta.dirname, '../docs/public/lab/results.json');

describe('report guide examples', () => {
  it('featureMapsSvg: the grid of the 32 mean maps of conv2, titled 1 … 32', async () => {
    const { model, stats } = await conv2Statistics(20, 1);
    model.dispose();
    const svg = await featureMapsSvg(stats);
    expect(svg.startsWith('<svg')).toBe(true);
    const titles = new Set(
      [...svg.matchAll(/<text[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1])),
    );
    for (let c = 1; c <= 32; c++) expect(titles.has(c)).toBe(true);
  });

  it("accuracyChart: the lab page's results.json validates, and the chart's rows are its accuracies", async () => {
    expect(existsSync(labResults)).toBe(true);
    const { results, rows, svg } = await accuracyChart(labResults);
    expect(svg.startsWith('<svg')).toBe(true);
    const run = results.seedRuns[0]!;
    const mean = run.criteria.find((c) => c.criterion === 'mean')!;
    for (const row of rows.filter((r) => r.criterion === 'mean' && r.seeds === 1)) {
      expect(row.mean).toBe(mean.accuracy[row.k]);
    }
    // K = 0 (the unpruned model) … P-1.
    expect(rows.filter((r) => r.criterion === 'mean').map((r) => r.k)).toEqual(
      Array.from({ length: results.layer.channels }, (_, k) => k),
    );
  });
});
