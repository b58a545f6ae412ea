// The CommonJS build's version of renderSvg.ts (swapped in by tsup.config.ts): vega and vega-lite are ES modules
// with top-level await (vega-canvas probes for node-canvas), which require() cannot load, so they are imported
// on first use instead of when the package is required.
import type { Spec as VegaSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/** Not available from CommonJS (vega-lite cannot be required); use {@link compileToVega}. */
export function toVegaSpec(_spec: TopLevelSpec): VegaSpec {
  throw new Error('@prune/report: toVegaSpec is synchronous and needs the ES module build; from CommonJS use `await compileToVega(spec)`');
}

/** Compiles a Vega-Lite spec to a Vega spec (vega-lite loaded on first use). */
export async function compileToVega(spec: TopLevelSpec): Promise<VegaSpec> {
  const { compile } = await import('vega-lite');
  return compile(spec).spec;
}

/** Renders a Vega-Lite spec to an SVG string, headless (vega loaded on first use). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { parse, View } = await import('vega');
  const view = new View(parse(await compileToVega(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
