import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describeLayers, listLayers, type Layer, type LayerEntry } from './listLayers';

/**
 * The layer entries a path names: a path matches a layer when its slash-separated segments equal the last
 * segments of the layer's full path, so `conv2`, `encoder/conv2` and the full path all name the same layer.
 *
 * @param entries - layers from {@link listLayers}.
 * @param path - a unique name or a path (`conv2`, `encoder/conv2`).
 * @returns Every layer the path could mean (one when unambiguous).
 *
 * @example
 * ```ts
 * import { listLayers, matchLayerPath } from '@prune/activations';
 *
 * const matches = matchLayerPath(listLayers(model), 'conv2');
 * ```
 */
export function matchLayerPath(entries: readonly LayerEntry[], path: string): LayerEntry[] {
  const wanted = path.split('/');
  return entries.filter((e) => {
    if (e.path === path) return true;
    const segments = e.path.split('/');
    if (segments.length < wanted.length) return false;
    const tail = segments.slice(segments.length - wanted.length);
    return tail.every((s, i) => s === wanted[i]);
  });
}

/**
 * Finds a layer by its unique name anywhere in the model (nested models included) or by a path such as
 * `encoder/conv2`; unknown or ambiguous names throw an error that lists the layers that exist, with their paths.
 *
 * @param model - the model.
 * @param path - a unique name or a path (`conv2`, `encoder/conv2`).
 *
 * @example
 * ```ts
 * import { resolveLayer } from '@prune/activations';
 *
 * const conv = resolveLayer(model, 'encoder/conv2'); // an error lists the nearest names
 * ```
 */
export function resolveLayer(model: LayersModel, path: string): Layer {
  return resolveLayerEntry(model, path).layer;
}

/**
 * Like {@link resolveLayer}, but returns the full entry (canonical path, class name, static output shape).
 *
 * @param model - the model.
 * @param path - a unique name or a path.
 * @param entries - its layers, when the caller already listed them.
 *
 * @example
 * ```ts
 * import { resolveLayerEntry } from '@prune/activations';
 *
 * const { path, className } = resolveLayerEntry(model, 'conv2');
 * console.log(path, className); // 'encoder/conv2' 'Conv2D'
 * ```
 */
export function resolveLayerEntry(model: LayersModel, path: string, entries = listLayers(model)): LayerEntry {
  if (typeof path !== 'string' || path.trim() === '' || path.startsWith('/') || path.endsWith('/')) {
    throw new Error(
      `resolveLayer: invalid layer path ${JSON.stringify(path)} in model '${model.name}'; use a layer name ` +
        `('conv2') or a slash-separated path ('encoder/conv2'). Layers:\n${describeLayers(entries)}`,
    );
  }
  const matches = matchLayerPath(entries, path);
  const distinct = [...new Set(matches.map((m) => m.layer))];
  if (distinct.length === 1) {
    // The same (shared) instance can sit in several containers; report it by its shortest path.
    return matches.reduce((a, b) => (b.path.length < a.path.length ? b : a));
  }
  if (distinct.length === 0) {
    const near = closestPath(entries, path);
    throw new Error(
      `resolveLayer: no layer '${path}' in model '${model.name}'${near ? ` (did you mean '${near}'?)` : ''}. Layers (path, class, output):\n${describeLayers(entries)}`,
    );
  }
  throw new Error(
    `resolveLayer: layer path '${path}' is ambiguous in model '${model.name}'; it matches ` +
      `${matches.map((m) => `'${m.path}'`).join(', ')}. Give a longer path. Layers (path, class, output):\n` +
      describeLayers(entries),
  );
}

/** Edit distance between two strings (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The layer path whose name is closest to the one asked for, when it is close enough to be a typo. */
function closestPath(entries: readonly LayerEntry[], path: string): string | undefined {
  const wanted = path.split('/').pop()!;
  let best: { path: string; distance: number } | undefined;
  for (const e of entries) {
    const distance = editDistance(wanted, e.path.split('/').pop()!);
    if (best === undefined || distance < best.distance) best = { path: e.path, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.path : undefined;
}
