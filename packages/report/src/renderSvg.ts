import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Spec as VegaSpec } from 'vega';

/**
 * Compiles a Vega-Lite spec to a Vega spec (for callers that build their own vega View, e.g. the viewer).
 * ES modules only: from CommonJS, where vega-lite cannot be required, use {@link compileToVega}.
 */
export function toVegaSpec(spec: TopLevelSpec): VegaSpec {
  return compile(spec).spec;
}

/** Compiles a Vega-Lite spec to a Vega spec; works from ES modules and CommonJS alike. */
export async function compileToVega(spec: TopLevelSpec): Promise<VegaSpec> {
  return compile(spec).spec;
}

/** Renders a Vega-Lite spec to an SVG string, headless (no DOM, no canvas, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // No loader access: every chart carries its data inline, and a headless run must not touch the network.
  const view = new View(parse(toVegaSpec(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
