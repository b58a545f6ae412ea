import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { Layer } from '../graph/modelTree';
import type { WeightCut } from './planSurgery';

/** What a cut does to the indices it names: remove them (surgery) or set them to 0 (a mask). */
export type CutMode = 'remove' | 'zero';

/**
 * The weight with `remove` cut along `axis`: the other entries kept in order, or (mode 'zero') the same shape with
 * those entries 0. Done on the values rather than with tf.gather: the wasm backend remembers the internal rank-4
 * shape of a gather output, and its FusedConv2D then rejects such a tensor as a bias.
 */
function cutWeight(weight: Tensor, cut: WeightCut, mode: CutMode, where: string): Tensor {
  const shape = weight.shape;
  const size = shape[cut.axis];
  if (size === undefined) throw new Error(`pruneChannels: ${where} has no axis ${cut.axis} (shape [${shape.join(', ')}])`);
  if (cut.remove.some((i) => i >= size)) {
    throw new Error(`pruneChannels: ${where} axis ${cut.axis} has ${size} entries but the cut names index ${Math.max(...cut.remove)}`);
  }
  const drop = new Set(cut.remove);
  const inner = shape.slice(cut.axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, cut.axis).reduce((a, b) => a * b, 1);
  const source = weight.dataSync() as Float32Array;
  const kept = mode === 'remove' ? size - drop.size : size;
  const values = new Float32Array(outer * kept * inner);
  let write = 0;
  for (let o = 0; o < outer; o += 1) {
    for (let i = 0; i < size; i += 1) {
      const from = (o * size + i) * inner;
      if (!drop.has(i)) values.set(source.subarray(from, from + inner), write);
      if (!drop.has(i) || mode === 'zero') write += inner;
    }
  }
  const newShape = [...shape];
  newShape[cut.axis] = kept;
  return tensor(values, newShape, weight.dtype);
}

/**
 * Sets `target`'s weights to `source`'s with the cuts applied (the same layer for a mask, the rebuilt layer for
 * surgery). Only the cut copies are freed: weights without a cut are the source's own variables.
 */
export function setCutWeights(target: Layer, source: Layer, path: string, cuts: readonly WeightCut[], mode: CutMode): void {
  const own = source.getWeights();
  const names = source.weights.map((w) => w.originalName.split('/').pop() ?? w.originalName);
  const values = own.map((value, i) => {
    let current = value;
    for (const cut of cuts.filter((c) => c.weight === names[i])) {
      const next = cutWeight(current, cut, mode, `weight '${path}/${cut.weight}'`);
      if (current !== value) current.dispose();
      current = next;
    }
    return current;
  });
  try {
    target.setWeights(values);
  } finally {
    values.forEach((t, i) => t !== own[i] && t.dispose());
  }
}
