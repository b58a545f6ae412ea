// Figures of a run: time to build each chart spec, render it to SVG (vega, headless) and rasterise it to PNG
// (resvg at 2×), on a full-size synthetic results object (32 channels, 14×14 maps, 3 seeds, 3 criteria).
// Run: cd apps/experiment && pnpm bench
import { accuracyVsKSpec, costSpec, featureMapsSpec, parseResults, renderSvg, type Results } from '@prune/report';
import { REFERENCE_ACCURACY } from '../src/labReference.js';
import { renderPng } from '../src/renderPng.js';
import { sampleResults } from '../../../packages/report/src/test-utils/sampleResults.js';

const REPEATS = 3;
const results: Results = parseResults(sampleResults({ seeds: [1, 2, 3], criteria: ['mean', 'l1', 'random'] }), 'synthetic');
const figures = {
  accuracy_vs_k: () => accuracyVsKSpec(results, { reference: { label: 'lab report (PyTorch, one run)', points: [...REFERENCE_ACCURACY] } }),
  feature_maps: () => featureMapsSpec(results.seedRuns[0]!.stats),
  costs: () => costSpec(results.costs, { layer: 'conv2' }),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`figure           svg ms   png ms   svg KB   png KB   (median of ${REPEATS})`);
for (const [name, build] of Object.entries(figures)) {
  const svgMs: number[] = [];
  const pngMs: number[] = [];
  let svg = '';
  let png: Buffer = Buffer.alloc(0);
  for (let i = 0; i < REPEATS; i++) {
    let t = performance.now();
    svg = await renderSvg(build());
    svgMs.push(performance.now() - t);
    t = performance.now();
    png = renderPng(svg);
    pngMs.push(performance.now() - t);
  }
  console.log(
    `${name.padEnd(15)} ${median(svgMs).toFixed(0).padStart(7)} ${median(pngMs).toFixed(0).padStart(8)} ${(svg.length / 1024).toFixed(0).padStart(8)} ${(png.length / 1024).toFixed(0).padStart(8)}`,
  );
}
