import * as tf from '@tensorflow/tfjs-core';
import { initializers, input, layers, type LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { pairBatches, type PairBatch } from '@prune/mnist-pairs';
import { conv2dWithoutInputGradient } from './conv2dWithoutInputGradient';
import { labPairs } from './test-utils/labData';

type AnyLayer = LayersModel['layers'][number];

/** 32 left images of the lab's test pairs (real MNIST), [32, 28, 28, 1]. */
async function images(): Promise<tf.Tensor> {
  const { test } = await labPairs(42);
  const batch = pairBatches(test, { batchSize: 32, shuffle: false }).next().value as PairBatch;
  tf.dispose([batch.right, batch.labels]);
  return batch.left;
}

/** A built Conv2D layer (weights from a seeded initialiser, the bias made non-zero). */
function convLayer(config: Parameters<typeof layers.conv2d>[0], inputShape = [28, 28, 1]): AnyLayer {
  const layer = layers.conv2d({ kernelInitializer: initializers.glorotUniform({ seed: 1 }), ...config });
  layer.apply(input({ shape: inputShape })); // builds it
  if (layer.weights.length > 1) layer.weights[1]!.write(tf.linspace(-0.2, 0.3, layer.weights[1]!.shape[0]!));
  return layer;
}

/** Loss (mean square of the output), gradients of the layer's variables, and the kernels run, for one way of applying the layer. */
async function gradientsOf(layer: AnyLayer, run: () => tf.Tensor) {
  const variables = layer.weights.map((w) => w.read() as tf.Variable);
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  const info = await tf.profile(() => {
    result = tf.variableGrads(() => tf.mean(tf.square(run())) as tf.Scalar, variables);
    return [result.value, ...Object.values(result.grads)];
  });
  return { ...result!, kernels: info.kernels.map((k) => k.name), variables };
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('conv2dWithoutInputGradient', () => {
  let x: tf.Tensor;
  afterAll(() => x?.dispose());

  for (const [what, config] of [
    ['same padding, with bias', { filters: 8, kernelSize: 3, padding: 'same' }],
    ['valid padding, stride 2, no bias', { filters: 4, kernelSize: 5, strides: 2, useBias: false }],
    ['a 2×3 kernel, strides 2×1, valid padding', { filters: 6, kernelSize: [2, 3], strides: [2, 1] }],
  ] as const) {
    it(`gives layer.apply's output and kernel and bias gradients exactly, without the input gradient: ${what}`, async () => {
      x ??= await images();
      const layer = convLayer(config as Parameters<typeof layers.conv2d>[0]);
      const start = tf.memory().numTensors;
      const fast = await gradientsOf(layer, () => conv2dWithoutInputGradient(layer, x)!);
      const stock = await gradientsOf(layer, () => layer.apply(x) as tf.Tensor);
      expect(fast.value.dataSync()[0]!).toBe(stock.value.dataSync()[0]!);
      for (const v of fast.variables) {
        const g = stock.grads[v.name]!;
        expect(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
        expect(maxAbsDiff(fast.grads[v.name]!, g)).toBe(0);
      }
      const y = tf.tidy(() => maxAbsDiff(conv2dWithoutInputGradient(layer, x)!, layer.apply(x) as tf.Tensor));
      expect(y).toBe(0);
      // The stock fused conv computes the images' gradient; this op does not.
      expect(stock.kernels.filter((k) => k === 'Conv2DBackpropInput').length).toBeGreaterThan(0);
      expect(fast.kernels.filter((k) => k === 'Conv2DBackpropInput')).toEqual([]);
      expect(fast.kernels.filter((k) => k === 'Conv2DBackpropFilter').length).toBe(stock.kernels.filter((k) => k === 'Conv2DBackpropFilter').length);
      tf.dispose([fast.value, stock.value, ...Object.values(fast.grads), ...Object.values(stock.grads)]);
      expect(tf.memory().numTensors).toBe(start);
      layer.dispose();
    });
  }

  it('leaves the layers it does not cover to layer.apply (null)', async () => {
    x ??= await images();
    const uncovered: [string, AnyLayer][] = [
      ['relu activation (tfjs runs it unfused in training, input gradient already lazy)', convLayer({ filters: 2, kernelSize: 3, activation: 'relu' })],
      ['dilation', convLayer({ filters: 2, kernelSize: 3, dilationRate: 2 })],
      ['a Dense layer', (() => { const d = layers.dense({ units: 2 }); d.apply(input({ shape: [4] })); return d; })()],
    ];
    for (const [, layer] of uncovered) {
      expect(conv2dWithoutInputGradient(layer, x)).toBeNull();
      layer.dispose();
    }
    const conv = convLayer({ filters: 2, kernelSize: 3 });
    const image = tf.zeros([28, 28, 1]);
    expect(conv2dWithoutInputGradient(conv, image)).toBeNull(); // rank 3
    image.dispose();
    conv.dispose();
  });

  it('has no gradient for its input: asking for one fails', async () => {
    x ??= await images();
    const layer = convLayer({ filters: 2, kernelSize: 3 });
    expect(() => tf.grad((input: tf.Tensor) => tf.sum(conv2dWithoutInputGradient(layer, input)!))(x)).toThrow(/gradient/i);
    layer.dispose();
  });
});
