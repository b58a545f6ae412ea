import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { modelLayers } from './modelLayers';
import { uniformStream } from './seedStream';

/** Ranges of the seeded BatchNormalization weights: none is the identity, and the variance stays positive. */
const RANGES: Record<string, [number, number]> = {
  gamma: [0.5, 1.5],
  beta: [-0.3, 0.3],
  moving_mean: [-0.3, 0.3],
  moving_variance: [0.5, 1.5],
};

/**
 * Sets every BatchNormalization layer's gamma, beta, moving mean and moving variance (nested models included) to
 * seeded uniform draws, so that BN is never the identity and a pruning bug in its parameters shows in the outputs.
 */
export function seedBatchNorms(model: tfl.LayersModel, seed: number): void {
  const draw = uniformStream(seed, 0, 1);
  for (const layer of modelLayers(model)) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.weights.map((w) => {
      const key = Object.keys(RANGES).find((k) => w.originalName.endsWith(k));
      if (key === undefined) throw new Error(`seedBatchNorms: unexpected weight '${w.originalName}' in '${layer.name}'`);
      const [min, max] = RANGES[key]!;
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      return tf.tensor(Float32Array.from({ length: size }, () => min + (max - min) * draw()), w.shape as number[]);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
