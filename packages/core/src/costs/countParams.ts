import type { LayersModel } from '@tensorflow/tfjs-layers';
import { leafLayers } from '../graph/modelTree';

/** Parameters of one layer (a shared layer counts once). */
export interface LayerParams {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** Number of scalar weights in the layer (all its weight tensors). */
  params: number;
  /** How many of those are trainable. */
  trainable: number;
}

/** Parameter counts of a model: total, trainable, non-trainable (e.g. BatchNormalization moving statistics), per layer. */
export interface ParamCount {
  /** Scalar weights in the whole model, each shared layer counted once. */
  total: number;
  /** Trainable scalar weights. */
  trainable: number;
  /** Non-trainable scalar weights (total - trainable). */
  nonTrainable: number;
  /** Per-layer counts of every layer with weights: the outer model's layers first, then each nested model's. */
  layers: LayerParams[];
}

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/**
 * Counts the parameters of a model (shared layers and a nested model applied twice count once): total, trainable,
 * non-trainable, and per layer with its path ('encoder/conv2').
 *
 * @param model - the model.
 * @returns Total, trainable and per-layer parameter counts.
 *
 * @example
 * ```ts
 * import { countParams } from '@prune/core';
 *
 * const { total, layers } = countParams(model);
 * console.log(total, layers.map((l) => `${l.path}: ${l.params}`));
 * ```
 */
export function countParams(model: LayersModel): ParamCount {
  const layers: LayerParams[] = [];
  for (const { path, layer } of leafLayers(model)) {
    const params = layer.weights.reduce((sum, w) => sum + product(w.shape as number[]), 0);
    const trainable = layer.weights.filter((w) => w.trainable).reduce((sum, w) => sum + product(w.shape as number[]), 0);
    if (params > 0) layers.push({ path, className: layer.getClassName(), params, trainable });
  }
  const total = layers.reduce((sum, l) => sum + l.params, 0);
  const trainable = layers.reduce((sum, l) => sum + l.trainable, 0);
  return { total, trainable, nonTrainable: total - trainable, layers };
}
