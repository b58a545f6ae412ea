import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayer } from '@prune/activations';
import {
  categoricalAccuracy,
  channelGroup,
  pruneChannels,
  sweepChannels,
} from '@prune/core';
import { createSiameseModel } from '@prune/siamese';
import { describe, expect, it } from 'vitest';
import { pruneGroups, residualBlock } from './pruningGroups';

const kernelShape = (m: LayersModel, layer: string) =>
  resolveLayer(m, layer).getWeights()[0]!.shape;

describe('pruning groups guide example', () => {
  it('pruneGroups: finds the coupled groups, refuses the softmax output, and the masked model is the pruned one', async () => {
    const model = residualBlock();
    const batch = tf.randomNormal([16, 8, 8, 3], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    const { groups, refused, residual, pruned, difference } = await pruneGroups(
      model,
      batch,
    );
    expect(groups.map((g) => g.id)).toEqual(['stem', 'se_reduce', 'wide']);
    expect(residual.id).toBe('stem');
    expect(residual.sources.map((m) => m.path)).toEqual([
      'stem',
      'branch',
      'se_expand',
    ]);
    expect([...residual.couplings].sort()).toEqual(['se_scale', 'sum']);
    expect(residual.path.map((m) => m.path)).toEqual(
      expect.arrayContaining(['stem_bn', 'branch_bn', 'dw', 'se_shape', 'concat']),
    );
    expect(residual.consumers.map((m) => m.path).sort()).toEqual([
      'branch',
      'classes',
      'se_reduce',
      'wide',
    ]);
    expect(refused).toEqual([
      {
        layer: 'classes',
        className: 'Dense',
        reason: expect.stringMatching(/'classes'.*softmax.*mixes channels/),
      },
    ]);
    expect(difference).toBeLessThanOrEqual(1e-5);
    // Two channels out of the residual group everywhere it reaches, two out of `wide`.
    expect(kernelShape(pruned, 'stem')).toEqual([3, 3, 3, 6]);
    expect(kernelShape(pruned, 'dw')).toEqual([3, 3, 6, 1]);
    expect(kernelShape(pruned, 'branch')).toEqual([1, 1, 6, 6]);
    expect(kernelShape(pruned, 'se_reduce')).toEqual([6, 2]);
    expect(kernelShape(pruned, 'se_expand')).toEqual([2, 6]);
    expect(kernelShape(pruned, 'wide')).toEqual([1, 1, 6, 4]);
    expect(kernelShape(pruned, 'classes')).toEqual([10, 3]);
    expect(
      resolveLayer(pruned, 'branch_bn')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[6], [6], [6], [6]]);
    pruned.dispose();
    // nothing left behind but the returned model
    expect(tf.memory().numTensors).toBe(before);
    batch.dispose();
    model.dispose();
  });

  it('the sweep predicts the pruned model of a group with BN, a depthwise conv, an SE gate and an Add', async () => {
    const model = residualBlock(2);
    const inputs = tf.randomNormal([64, 8, 8, 3], 0, 1, 'float32', 4);
    const labels = Float32Array.from({ length: 64 }, (_, i) => (i * 7) % 3);
    const order = [1, 4, 0, 2, 3, 5, 6, 7];
    const sweep = await sweepChannels(
      model,
      'branch',
      order,
      { inputs, labels },
      { ks: [2, 5], keepPredictions: true },
    );
    for (const [i, k] of [2, 5].entries()) {
      const pruned = await pruneChannels(model, {
        layer: 'stem',
        pruned: order.slice(0, k),
      }); // any source names the group
      const p = pruned.predict(inputs) as tf.Tensor;
      const expected = p.dataSync() as Float32Array;
      sweep.predictions![i]!.forEach((v, j) =>
        expect(Math.abs(v - expected[j]!)).toBeLessThan(1e-5),
      );
      expect(sweep.points[i]!.metric).toBe(
        categoricalAccuracy().compute(expected, labels, 3),
      );
      p.dispose();
      pruned.dispose();
    }
    inputs.dispose();
    model.dispose();
  });

  it('a shared encoder is one group whose source has one application per branch', () => {
    const model = createSiameseModel({ seed: 1 });
    const group = channelGroup(model, 'conv2');
    expect(group.id).toBe('encoder/conv2');
    // the left and the right image
    expect(group.sources[0]!.applications).toHaveLength(2);
    expect(group.consumers.map((m) => m.path)).toEqual(['encoder/dense1']);
    model.dispose();
  });
});
