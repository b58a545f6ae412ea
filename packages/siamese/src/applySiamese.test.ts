import * as tf from '@tensorflow/tfjs-core';
import { input, layers, model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { pairBatches, type PairBatch } from '@prune/mnist-pairs';
import { applySiamese } from './applySiamese';
import { createSiameseModel } from './createSiameseModel';
import { SiameseFusion } from './siameseFusion';
import { labPairs } from './test-utils/labData';

/** The first `count` pairs of the lab's test split (real MNIST): left images, right images, labels [B, 1]. */
async function pairImages(count: number): Promise<[tf.Tensor, tf.Tensor, tf.Tensor]> {
  const { test } = await labPairs(42);
  const batch = pairBatches(test, { batchSize: count, shuffle: false }).next().value as PairBatch;
  const labels = tf.reshape(batch.labels, [-1, 1]);
  batch.labels.dispose();
  return [batch.left, batch.right, labels];
}

/** Kernel names run by f, in order. */
async function kernelsOf(f: () => tf.Tensor | tf.Tensor[]): Promise<string[]> {
  const info = await tf.profile(() => f() as tf.Tensor);
  return info.kernels.map((k) => k.name);
}

const convCount = (names: string[]) => names.filter((n) => /Conv2D$/.test(n)).length;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** A Siamese-shaped model around a given encoder: concat of the two embeddings, one sigmoid unit. */
function siameseAround(encoderOf: () => LayersModel, shared: boolean): LayersModel {
  const left = input({ shape: [28, 28, 1], name: 'left' });
  const right = input({ shape: [28, 28, 1], name: 'right' });
  const a = encoderOf();
  const b = shared ? a : encoderOf();
  const h = new SiameseFusion({ name: 'fusion' }).apply([a.apply(left), b.apply(right)] as SymbolicTensor[]) as SymbolicTensor;
  const p = layers.dense({ units: 1, activation: 'sigmoid' }).apply(h) as SymbolicTensor;
  return functionalModel({ inputs: [left, right], outputs: p });
}

function smallEncoder(withBatchNorm: boolean): LayersModel {
  const image = input({ shape: [28, 28, 1] });
  let x = layers.conv2d({ filters: 4, kernelSize: 3, strides: 2 }).apply(image) as SymbolicTensor;
  if (withBatchNorm) x = layers.batchNormalization().apply(x) as SymbolicTensor;
  x = layers.flatten().apply(layers.reLU().apply(x)) as SymbolicTensor;
  return functionalModel({ inputs: image, outputs: layers.dense({ units: 8 }).apply(x) as SymbolicTensor });
}

describe('applySiamese', () => {
  it("runs the lab model's encoder once per batch and gives model.apply's output", async () => {
    const siamese = createSiameseModel({ seed: 3 });
    const [left, right, labels] = await pairImages(16);
    const start = tf.memory().numTensors;
    const once = applySiamese(siamese, [left, right]) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(start + 1);
    const twice = siamese.apply([left, right]) as tf.Tensor;
    expect(once.shape).toEqual([16, 1]);
    expect(maxAbsDiff(once, twice)).toBeLessThan(1e-6);
    expect(convCount(await kernelsOf(() => applySiamese(siamese, [left, right])))).toBe(2);
    expect(convCount(await kernelsOf(() => siamese.apply([left, right]) as tf.Tensor))).toBe(4);
    tf.dispose([once, twice, left, right, labels]);
    siamese.dispose();
  });

  it("gives model.apply's gradients in training (no dropout)", async () => {
    const siamese = createSiameseModel({ seed: 4, dropout: 0 });
    const [left, right, labels] = await pairImages(32);
    const variables = siamese.trainableWeights.map((w) => w.read() as tf.Variable);
    const grads = (run: () => tf.Tensor) => tf.variableGrads(() => tf.mean(tf.losses.logLoss(labels, run())) as tf.Scalar, variables);
    const once = grads(() => applySiamese(siamese, [left, right], { training: true }) as tf.Tensor);
    const twice = grads(() => siamese.apply([left, right], { training: true }) as tf.Tensor);
    expect(Math.abs(once.value.dataSync()[0]! - twice.value.dataSync()[0]!)).toBeLessThan(1e-6);
    for (const v of variables) {
      const scale = tf.tidy(() => tf.max(tf.abs(twice.grads[v.name]!)).dataSync()[0]!);
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDiff(once.grads[v.name]!, twice.grads[v.name]!)).toBeLessThan(1e-5 * scale);
    }
    tf.dispose([once.value, twice.value, ...Object.values(once.grads), ...Object.values(twice.grads), labels, left, right]);
    siamese.dispose();
  });

  it('with inputGradients false, gives the same loss and gradients exactly, without computing the images\' gradient', async () => {
    const siamese = createSiameseModel({ seed: 4, dropout: 0 });
    const [left, right, labels] = await pairImages(32);
    const start = tf.memory().numTensors;
    const variables = siamese.trainableWeights.map((w) => w.read() as tf.Variable);
    const run = async (inputGradients: boolean) => {
      let out: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
      const info = await tf.profile(() => {
        const p = () => applySiamese(siamese, [left, right], { training: true, inputGradients }) as tf.Tensor;
        out = tf.variableGrads(() => tf.mean(tf.losses.logLoss(labels, p())) as tf.Scalar, variables);
        return [out.value, ...Object.values(out.grads)];
      });
      return { ...out!, inputGradientKernels: info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
    };
    const stock = await run(true);
    const fast = await run(false);
    expect(fast.value.dataSync()[0]).toBe(stock.value.dataSync()[0]);
    for (const v of variables) expect(maxAbsDiff(fast.grads[v.name]!, stock.grads[v.name]!)).toBe(0);
    // conv1's input gradient (the images') is gone; conv2's, which conv1's kernel gradient needs, stays.
    expect(stock.inputGradientKernels).toBe(2);
    expect(fast.inputGradientKernels).toBe(1);
    // By default the images' gradient can still be taken.
    const saliency = tf.grad((l: tf.Tensor) => tf.sum(applySiamese(siamese, [l, right], { training: true }) as tf.Tensor))(left);
    expect(tf.tidy(() => tf.max(tf.abs(saliency)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([saliency, stock.value, fast.value, ...Object.values(stock.grads), ...Object.values(fast.grads)]);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([left, right, labels]);
    siamese.dispose();
  });

  it('runs dropout in training and not in inference', async () => {
    const siamese = createSiameseModel({ seed: 5, dropout: 0.5 });
    const [left, right, labels] = await pairImages(16);
    const inference = applySiamese(siamese, [left, right]) as tf.Tensor;
    const again = applySiamese(siamese, [left, right], { training: false }) as tf.Tensor;
    const training = applySiamese(siamese, [left, right], { training: true }) as tf.Tensor;
    expect(maxAbsDiff(inference, again)).toBe(0);
    expect(maxAbsDiff(inference, training)).toBeGreaterThan(1e-3);
    tf.dispose([inference, again, training, left, right, labels]);
    siamese.dispose();
  });

  for (const [what, encoderOf, shared] of [
    ['an encoder with BatchNormalization', () => smallEncoder(true), true],
    ['one encoder per input', () => smallEncoder(false), false],
  ] as const) {
    it(`is model.apply for ${what}`, async () => {
      const siamese = siameseAround(encoderOf, shared);
      const [left, right, labels] = await pairImages(8);
      const kernels = await kernelsOf(() => applySiamese(siamese, [left, right], { training: true }));
      expect(convCount(kernels)).toBe(2);
      const once = applySiamese(siamese, [left, right], { training: true }) as tf.Tensor;
      const twice = siamese.apply([left, right], { training: true }) as tf.Tensor;
      expect(maxAbsDiff(once, twice)).toBe(0);
      tf.dispose([once, twice, left, right, labels]);
      siamese.dispose();
    });
  }
});
