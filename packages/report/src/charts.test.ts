import { describe, expect, it } from 'vitest';
import { accuracyRows, accuracyVsKSpec, controlRows } from './accuracyVsKSpec.js';
import { chooseHeadline, headlineK } from './headline.js';
import { tradeoffSpec } from './tradeoffSpec.js';
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
  it('accuracy vs K: one line of C points per criterion, axis titles, a binomial band per curve for one seed', async () => {
    const results = parseResults(sampleResults({ criteria: ['mean', 'l1'] }), 'r.json');
    const svg = await renderSvg(accuracyVsKSpec(results));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('K (channels pruned)');
    expect(svg).toContain('test pair accuracy');
    expect(svg).toContain('Test pair accuracy vs channels pruned (conv2)');
    const symbols = markGroups(svg, 'symbol').map((g) => count(g, '<path'));
    expect(symbols.reduce((a, b) => a + b, 0)).toBe(2 * 32);
    expect(markGroups(svg, 'area')).toHaveLength(2);
    expect(svg).toContain('bands: 95% binomial (Wilson) interval over the 2000 test pairs');
    expect(svg).toContain('>curve<');
    const rows = accuracyRows(results);
    expect(rows).toHaveLength(64);
    const first = results.seedRuns[0]!.criteria[0]!;
    expect(rows.slice(0, 32).map((r) => [r.lo, r.hi])).toEqual(first.accuracy.map((_, k) => [first.interval.lower[k], first.interval.upper[k]]));
  });

  it('accuracy vs K: the random band and the oracle line beside the criteria', async () => {
    const results = parseResults(sampleResults({ controls: true }), 'r.json');
    const svg = await renderSvg(accuracyVsKSpec(results));
    expect(svg).toContain('random × 3 (mean, range)');
    expect(svg).toContain('greedy oracle (test pairs)');
    expect(markGroups(svg, 'area')).toHaveLength(2);
    const rows = controlRows(results);
    const random = results.seedRuns[0]!.controls!.random!.accuracy;
    const k5 = rows.find((r) => r.series.startsWith('random') && r.k === 5)!;
    expect(k5.lo).toBe(Math.min(...random.map((a) => a[5]!)));
    expect(k5.hi).toBe(Math.max(...random.map((a) => a[5]!)));
    expect(k5.mean).toBeCloseTo(random.reduce((s, a) => s + a[5]!, 0) / 3, 12);
  });

  it('accuracy vs K: a band per criterion and seed lines with several seeds; reference points', async () => {
    const results = parseResults(sampleResults({ seeds: [1, 2, 3] }), 'r.json');
    const points = [{ k: 1, accuracy: 0.962 }, { k: 31, accuracy: 0.5345 }];
    const svg = await renderSvg(accuracyVsKSpec(results, { reference: { label: 'lab report (PyTorch, one run)', points } }));
    expect(markGroups(svg, 'area')).toHaveLength(1);
    expect(svg).toContain('bands: mean ± std over 3 seeds (thin lines: each seed)');
    expect(svg).toContain('lab report (PyTorch, one run)');
    const symbols = markGroups(svg, 'symbol').map((g) => count(g, '<path'));
    expect(symbols.reduce((a, b) => a + b, 0)).toBe(32 + points.length);
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

describe('the trade-off chart and the headline', () => {
  it('accuracy against params, MACs and latency: one point per K and curve, cost as % of K = 0', async () => {
    const results = parseResults(sampleResults({ criteria: ['mean', 'l1'], controls: true }), 'r.json');
    const spec = tradeoffSpec(results) as { hconcat: Array<{ layer: Array<{ data: { values: Array<{ curve: string; k: number; percent: number; accuracy: number }> } }> }> };
    expect(spec.hconcat).toHaveLength(3);
    const params = spec.hconcat[0]!.layer[0]!.data.values;
    expect(new Set(params.map((v) => v.curve))).toEqual(new Set(['mean', 'l1', 'greedy oracle (test pairs)']));
    const at = params.find((v) => v.curve === 'l1' && v.k === 10)!;
    expect(at.percent).toBeCloseTo((100 * (225_000 - 10 * 4000)) / 225_000, 9);
    expect(at.accuracy).toBe(results.summary[1]!.mean[10]);
    // Timed latency is drawn as points (a line in K order would zigzag with its noise); counted costs as lines.
    const marks = spec.hconcat.map((p) => (p.layer[0] as unknown as { mark: { type: string } }).mark.type);
    expect(marks).toEqual(['line', 'line', 'point']);
    const svg = await renderSvg(tradeoffSpec(results));
    for (const t of ['parameters (% of unpruned)', 'MACs per pair (% of unpruned)', 'latency per batch (% of unpruned)']) expect(svg).toContain(t);
  });

  it('picks the largest K within one point of the unpruned accuracy, by hand', () => {
    const results = parseResults(sampleResults(), 'r.json');
    const mean = [0.96, 0.955, 0.951, 0.949, 0.952, 0.9, ...Array.from({ length: 26 }, () => 0.6)];
    results.summary[0]!.mean = mean;
    const h = chooseHeadline(results)!;
    expect(h.k).toBe(4); // 0.952 ≥ 0.95; 0.949 at K = 3 is not, but K = 4 is the largest within the point
    expect(h.lost).toBeCloseTo(0.008, 12);
    expect(h.params).toEqual({ before: 225_000, after: 225_000 - 4 * 4000, saved: (4 * 4000) / 225_000 });
    expect(h.latencyMs!.after).toBeCloseTo(4.6, 12);
    expect(chooseHeadline(results, { k: 5 })!.accuracy).toBe(0.9);
    expect(() => chooseHeadline(results, { k: 40 })).toThrow(/K = 40 is outside 0 … 31/);
    expect(headlineK(mean)).toBe(4); // the rule the experiment uses to time the headline K's latency
    expect(headlineK(mean, 0.005)).toBe(1); // 0.955 ≥ 0.96 - 0.005; nothing later is
    expect(headlineK([0.9, 0.5, 0.4])).toBe(0);
  });
});
