import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';

/**
 * Compiles a Vega-Lite spec to a Vega spec, for callers that build their own `vega.View` (the viewer does, with
 * the `svg` renderer in the browser). ES modules only: from CommonJS, where vega-lite cannot be required, it throws;
 * use {@link compileToVega} there.
 *
 * @param spec - a Vega-Lite spec, such as {@link accuracyVsKSpec}'s.
 * @returns The Vega spec.
 *
 * @example
 * ```ts
 * import { accuracyVsKSpec, toVegaSpec } from '@prune/report';
 *
 * const vegaSpec = toVegaSpec(accuracyVsKSpec(results, { legend: 'bottom' }));
 * // in a page: new vega.View(vega.parse(vegaSpec), { renderer: 'svg' }).initialize(el)
 * ```
 */
export function toVegaSpec(spec: TopLevelSpec): VegaSpec {
  return compile(spec).spec;
}

/**
 * Compiles a Vega-Lite spec to a Vega spec, as {@link toVegaSpec} does, but asynchronously, so that it works from
 * CommonJS too (there vega-lite is loaded on first use).
 *
 * @param spec - a Vega-Lite spec, such as {@link costSpec}'s.
 * @returns The Vega spec.
 *
 * @example
 * ```ts
 * import { compileToVega, costSpec } from '@prune/report';
 *
 * const vegaSpec = await compileToVega(costSpec(results.costs));
 * console.log(vegaSpec.marks?.length);
 * ```
 */
export async function compileToVega(spec: TopLevelSpec): Promise<VegaSpec> {
  return compile(spec).spec;
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no DOM, no canvas, no network): how the experiment writes
 * its figures. Turn the SVG into a PNG with any SVG rasteriser (the experiment uses @resvg/resvg-js).
 *
 * @param spec - a Vega-Lite spec with its data inline (every spec of this package is).
 * @returns The SVG document.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { accuracyVsKSpec, renderSvg } from '@prune/report';
 *
 * await writeFile('accuracy_vs_k.svg', await renderSvg(accuracyVsKSpec(results)));
 * ```
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // No loader access: every chart carries its data inline, and a headless run must not touch the network.
  const view = new View(parse(toVegaSpec(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
