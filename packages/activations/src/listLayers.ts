import type { layers, LayersModel } from '@tensorflow/tfjs-layers';

/** A tfjs-layers layer (re-exported type alias so callers need not reach into `layers.Layer`). */
export type Layer = layers.Layer;

/** One layer of a model, found by walking nested models, with its slash-separated path from the root. */
export interface LayerEntry {
  /** Slash-separated names from the root model down to the layer, e.g. `encoder/conv2`. */
  path: string;
  /** The layer instance (a shared layer appears once per container that holds it). */
  layer: Layer;
  /** The layer's class name, e.g. `Conv2D`. */
  className: string;
  /** The layer's static output shape, or null when tfjs cannot give a single one. */
  outputShape: (number | null)[] | null;
}

/** Nested models (functional or Sequential) expose their layers; plain layers do not. */
function childLayers(layer: unknown): Layer[] | null {
  const children = (layer as { layers?: unknown }).layers;
  return Array.isArray(children) ? (children as Layer[]) : null;
}

function staticOutputShape(layer: Layer): (number | null)[] | null {
  try {
    const shape = layer.outputShape;
    // A multi-output layer gives a list of shapes; it has no single channel axis.
    if (!Array.isArray(shape) || shape.some((d) => Array.isArray(d))) return null;
    return shape as (number | null)[];
  } catch {
    return null;
  }
}

/**
 * Every layer of a model, depth first, including the layers inside nested models, each with its path
 * (`encoder/conv2`); a nested model is listed before its own layers.
 *
 * @param model - the model.
 * @returns Every layer with its path, class and output shape, nested models included.
 *
 * @example
 * ```ts
 * import { listLayers } from '@prune/activations';
 *
 * for (const e of listLayers(model)) console.log(e.path, e.className, e.outputShape);
 * ```
 */
export function listLayers(model: LayersModel): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const walk = (container: unknown, prefix: string, seen: Set<unknown>): void => {
    if (seen.has(container)) return; // guards against a container that (indirectly) holds itself
    seen.add(container);
    for (const layer of childLayers(container) ?? []) {
      const path = prefix === '' ? layer.name : `${prefix}/${layer.name}`;
      entries.push({ path, layer, className: layer.getClassName(), outputShape: staticOutputShape(layer) });
      if (childLayers(layer) !== null) walk(layer, path, seen);
    }
    seen.delete(container);
  };
  walk(model, '', new Set());
  return entries;
}

/**
 * A readable multi-line listing of layers for error messages: path, class and output shape.
 *
 * @param entries - layers from {@link listLayers}.
 * @param limit - how many to name before "…" (default 60).
 *
 * @example
 * ```ts
 * import { describeLayers, listLayers } from '@prune/activations';
 *
 * console.log(`layers: ${describeLayers(listLayers(model))}`);
 * ```
 */
export function describeLayers(entries: readonly LayerEntry[], limit = 60): string {
  if (entries.length === 0) return '  (none)';
  const lines = entries
    .slice(0, limit)
    .map((e) => `  ${e.path} (${e.className}${e.outputShape ? `, output [${e.outputShape.map((d) => d ?? 'B').join(',')}]` : ''})`);
  // A real model has hundreds of layers: the first ones show the naming; listLayers(model) gives them all.
  if (entries.length > limit) lines.push(`  … and ${entries.length - limit} more (listLayers(model) lists them all)`);
  return lines.join('\n');
}
