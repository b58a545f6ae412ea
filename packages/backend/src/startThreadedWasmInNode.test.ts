import { getBackend, memory, mean, setBackend, tensor, train, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { initializers, layers, metrics, sequential, type Sequential } from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './selectBackend';
import { createRng, relativeError, values } from './test-utils/oracle';

/** A small seeded CNN with the lab encoder's layer kinds: conv, ReLU, 2×2 pool, dense, dropout-free. */
function smallCnn(): Sequential {
  let seed = 1;
  const init = () => ({ kernelInitializer: initializers.glorotUniform({ seed: seed++ }), biasInitializer: initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed++ }) });
  const model = sequential();
  model.add(layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', ...init() }));
  model.add(layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', ...init() }));
  model.add(layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(layers.flatten());
  model.add(layers.dense({ units: 64, activation: 'relu', ...init() }));
  model.add(layers.dense({ units: 1, activation: 'sigmoid', ...init() }));
  return model;
}

const rng = createRng(12);
const N = 32;
const images = values(rng, N * 28 * 28);
const labels = Float32Array.from({ length: N }, (_, i) => i % 2);

/** Losses of 5 Adam steps and the final weights, on the current backend. */
function trainFiveSteps(): { losses: number[]; weights: Float32Array[]; leaked: number } {
  const before = memory().numTensors;
  const model = smallCnn();
  const optimizer = train.adam(1e-3);
  const x = tensor(images, [N, 28, 28, 1]);
  const y = tensor(labels, [N, 1]);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const l = optimizer.minimize(() => mean(metrics.binaryCrossentropy(y, model.apply(x, { training: true }) as Tensor)) as Scalar, true, variables)!;
    losses.push(l.dataSync()[0]!);
    l.dispose();
  }
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  optimizer.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return { losses, weights, leaked: memory().numTensors - before };
}

describe('wasm training on two threads (threaded SIMD build on worker_threads)', () => {
  const initial = getBackend();
  afterAll(async () => {
    await setBackend(initial);
  });

  it('gives the same numbers run after run, those of one thread within float noise, and leaks nothing', async () => {
    await selectBackend('wasm', { threads: 2 });
    const a = trainFiveSteps();
    const b = trainFiveSteps();
    expect(b.losses).toEqual(a.losses);
    b.weights.forEach((w, i) => expect(w, `weight ${i}`).toEqual(a.weights[i]));
    expect(a.leaked).toBe(0);
    await selectBackend('wasm', { threads: 1 }); // its kernels are checked against the cpu backend elsewhere
    const one = trainFiveSteps();
    one.weights.forEach((w, i) => expect(relativeError(a.weights[i]!, w), `weight ${i}`).toBeLessThanOrEqual(1e-5));
  });

  it('gives the same numbers in a freshly started two-thread backend', async () => {
    await selectBackend('wasm', { threads: 2 });
    const first = trainFiveSteps();
    await selectBackend('wasm', { threads: 1 });
    await selectBackend('wasm', { threads: 2 }); // a new pool, new workers
    const again = trainFiveSteps();
    expect(again.losses).toEqual(first.losses);
    again.weights.forEach((w, i) => expect(w, `weight ${i}`).toEqual(first.weights[i]));
  });
});
