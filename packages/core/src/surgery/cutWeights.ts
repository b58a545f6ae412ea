import { tensor, type Tensor } from '@tensorflow/tfjs-core';
import { weightName, type Layer } from '../graph/modelTree';
import type { WeightCut } from './planSurgery';

/** What a cut does to the indices it names: remove them (surgery) or set them to 0 (a mask). */
export type CutMode = 'remove' | 'zero';

/**
 * `source` viewed as [outer, size, inner] without the entries `drop` along the middle axis. The kept indices are
 * listed once; a cut along a weight's last axis (inner = 1, e.g. a kernel's output filters) then copies per
 * element, any other per run of `inner` values.
 */
function removeEntries(source: Float32Array, outer: number, size: number, inner: number, drop: ReadonlySet<number>): Float32Array {
  const keep = Int32Array.from({ length: size }, (_, i) => i).filter((i) => !drop.has(i));
  const values = new Float32Array(outer * keep.length * inner);
  let write = 0;
  for (let o = 0; o < outer; o += 1) {
    const base = o * size;
    if (inner === 1) {
      for (let j = 0; j < keep.length; j += 1) values[write++] = source[base + keep[j]!]!;
    } else {
      for (let j = 0; j < keep.length; j += 1) {
        const from = (base + keep[j]!) * inner;
        values.set(source.subarray(from, from + inner), write);
        write += inner;
      }
    }
  }
  return values;
}

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
  let values: Float32Array;
  if (mode === 'zero') {
    values = Float32Array.from(source);
    for (let o = 0; o < outer; o += 1) for (const i of drop) values.fill(0, (o * size + i) * inner, (o * size + i + 1) * inner);
  } else {
    values = removeEntries(source, outer, size, inner, drop);
  }
  const newShape = [...shape];
  newShape[cut.axis] = mode === 'remove' ? size - drop.size : size;
  return tensor(values, newShape, weight.dtype);
}

/**
 * Sets `target`'s weights to `source`'s with the cuts applied (the same layer for a mask, the rebuilt layer for
 * surgery). Only the cut copies are freed: weights without a cut are the source's own variables.
 */
export function setCutWeights(target: Layer, source: Layer, path: string, cuts: readonly WeightCut[], mode: CutMode): void {
  const own = source.getWeights();
  const names = source.weights.map(weightName);
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
