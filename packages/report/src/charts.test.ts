import { describe, expect, it } from 'vitest';
import { REFERENCE_ACCURACY, accuracyRows, accuracyVsKSpec, labReference } from './accuracyVsKSpec.js';
import { costSpec } from './costSpec.js';
import { featureMapPixels, featureMapsSpec } from './featureMapsSpec.js';
import { parseResults } from './parseResults.js';
import { compileToVega, renderSvg, toVegaSpec } from './renderSvg.js';
import { sampleResults } from './test-utils/sampleResults.js';

/** Number of mark items (path/rect children) inside the first `<g class="mark-<type> …">` group whose role matches. */
function markGroups(svg: string, type: string): string[] {
  return [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>([\\s\\S]*?)</g>`, 'g'))].map((m) => m[1] as string);
}
const count = (s: string, needle: string) => s.split(needle).length - 1;

describe('featureMapPixels', () => {
  it('min-max normalises each map on its own, by hand', () => {
    const pixels = featureMapPixels({ layer: 'c', mapShape: [2, 1, 3], meanMap: [1, 3, 2, 5, 5, 5] });
    expect(pixels.map((p) => [p.channel, p.w, p.norm])).toEqual([
      [1, 0, 0],
      [1, 1, 1],
      [1, 2, 0.5],
      [2, 0, 0],
      [2, 1, 0],
      [2, 2, 0],
    ]);
    expect(() => featureMapPixels({ layer: 'c', mapShape: [2, 2, 2], meanMap: [1] })).toThrow(/meanMap of c has 1 values, shape \[2,2,2\] needs 8/);
  });
});

describe('chart specs render to SVG', () => {
  it('accuracy vs K: one line of C points per criterion, axis titles, no band for one seed', async () => {
    const results = parseResults(sampleResults({ criteria: ['mean', 'l1'] }), 'r.json');
    const svg = await renderSvg(accuracyVsKSpec(results));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('K (channels pruned)');
    expect(svg).toContain('test pair accuracy');
    expect(svg).toContain('Test pair accuracy vs channels pruned (conv2)');
    const symbols = markGroups(svg, 'symbol').map((g) => count(g, '<path'));
    expect(symbols.reduce((a, b) => a + b, 0)).toBe(2 * 32);
    expect(markGroups(svg, 'area')).toHaveLength(0);
    expect(accuracyRows(results)).toHaveLength(64);
  });

  it('accuracy vs K: a band per criterion and seed lines with several seeds; reference points', async () => {
    const results = parseResults(sampleResults({ seeds: [1, 2, 3] }), 'r.json');
    const svg = await renderSvg(accuracyVsKSpec(results, { reference: { label: 'reference (PyTorch)', points: REFERENCE_ACCURACY } }));
    expect(markGroups(svg, 'area')).toHaveLength(1);
    expect(svg).toContain('mean ± std over 3 seeds (thin lines: each seed)');
    expect(svg).toContain('reference (PyTorch)');
    const symbols = markGroups(svg, 'symbol').map((g) => count(g, '<path'));
    expect(symbols.reduce((a, b) => a + b, 0)).toBe(32 + REFERENCE_ACCURACY.length);
    const rows = accuracyRows(results);
    expect(rows.every((r) => r.lo <= r.mean && r.mean <= r.hi)).toBe(true);
    expect(rows.some((r) => r.std > 0)).toBe(true);
  });

  it('feature maps: C titled maps of H×W rects and one colour bar', async () => {
    const results = parseResults(sampleResults(), 'r.json');
    const stats = results.seedRuns[0]!.stats;
    const svg = await renderSvg(featureMapsSpec({ ...stats, stage: 'before ReLU' }));
    const rects = markGroups(svg, 'rect').map((g) => count(g, '<path'));
    expect(rects).toHaveLength(32);
    expect(rects.every((n) => n === 14 * 14)).toBe(true);
    for (const label of ['>1<', '>16<', '>32<']) expect(svg).toContain(label);
    expect(count(svg, 'linearGradient id=')).toBe(1);
    expect(svg).toContain('Mean feature maps of conv2 (before ReLU)');
  });

  it('costs: three panels, or two when latency was not measured', async () => {
    const results = parseResults(sampleResults(), 'r.json');
    const svg = await renderSvg(costSpec(results.costs, { layer: 'conv2' }));
    expect(svg).toContain('parameters (thousands)');
    expect(svg).toContain('MACs per pair (millions)');
    expect(svg).toContain('latency per batch (ms, median)');
    expect(markGroups(svg, 'line')).toHaveLength(3);
    const noLatency = await renderSvg(costSpec(results.costs.map((c) => ({ ...c, latencyMs: null }))));
    expect(markGroups(noLatency, 'line')).toHaveLength(2);
    expect(noLatency).not.toContain('latency per batch');
  });

  it('compiles to the same Vega spec synchronously and asynchronously', async () => {
    const results = parseResults(sampleResults(), 'r.json');
    const spec = costSpec(results.costs);
    const sync = toVegaSpec(spec);
    expect(await compileToVega(spec)).toEqual(sync);
    expect(Array.isArray(sync.marks)).toBe(true);
  });
});

describe('labReference', () => {
  it("gives the lab's points only for a run on the lab's configuration", () => {
    const lab = parseResults(sampleResults({ criteria: ['mean'] }), 'r.json');
    expect(labReference(lab)).toEqual({ label: 'reference (PyTorch)', points: REFERENCE_ACCURACY });
    expect(labReference({ ...lab, config: { ...lab.config, layer: 'conv1' } })).toBeUndefined();
    expect(labReference({ ...lab, config: { ...lab.config, calibration: 'train' } })).toBeUndefined();
    expect(labReference({ ...lab, config: { ...lab.config, testPairs: 500 } })).toBeUndefined();
  });
});
