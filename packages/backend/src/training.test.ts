import { getBackend, memory, mean, setBackend, tensor, train, variableGrads, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { initializers, layers, metrics, sequential, type Sequential } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './registerWasmTrainingKernels';
import { createRng, values, worstElement, type Tolerance } from './test-utils/oracle';

/** Per element, atol scaled by the model's largest gradient element (measured worst ≈ 0.23 of this). */
const TOL: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/** A small CNN with the lab encoder's layer kinds (conv, ReLU, 2×2 pool, dense), seeded. */
function smallCnn(): Sequential {
  let seed = 1;
  const init = () => ({ kernelInitializer: initializers.glorotUniform({ seed: seed++ }), biasInitializer: initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed++ }) });
  const model = sequential();
  model.add(layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...init() }));
  model.add(layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', ...init() }));
  model.add(layers.activation({ activation: 'relu' }));
  model.add(layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(layers.flatten());
  model.add(layers.dense({ units: 16, activation: 'relu', ...init() }));
  model.add(layers.dense({ units: 1, activation: 'sigmoid', ...init() }));
  return model;
}

const rng = createRng(2024);
const images = values(rng, 10 * 12 * 12);
const labels = Float32Array.from({ length: 10 }, (_, i) => i % 2);

function loss(model: Sequential, x: Tensor, y: Tensor): Scalar {
  return mean(metrics.binaryCrossentropy(y, model.apply(x, { training: true }) as Tensor)) as Scalar;
}

/** Each trainable weight's gradient, in the model's weight order (names differ between instances). */
async function gradientsOn(backend: string): Promise<Float32Array[]> {
  await setBackend(backend);
  const model = smallCnn();
  const x = tensor(images, [10, 12, 12, 1]);
  const y = tensor(labels, [10, 1]);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const { value, grads } = variableGrads(() => loss(model, x, y), variables);
  const out = variables.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  x.dispose();
  y.dispose();
  model.dispose();
  return out;
}

describe('training a small CNN on the completed wasm backend', () => {
  const initial = getBackend();
  beforeAll(() => registerWasmTrainingKernels());
  afterAll(async () => {
    await setBackend(initial);
  });

  it('gives every weight the gradient the cpu backend gives it', async () => {
    const wasm = await gradientsOn('wasm');
    const cpu = await gradientsOn('cpu');
    expect(wasm.length).toBe(8); // 4 layers with weights × (kernel, bias)
    const largest = Math.max(...cpu.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    const ratios = cpu.map((ref, i) => worstElement(wasm[i]!, ref, TOL, largest).ratio);
    console.log(`small CNN gradients: worst element at ${Math.max(...ratios).toFixed(3)} of the tolerance`);
    ratios.forEach((r, i) => expect(r, `weight ${i}`).toBeLessThanOrEqual(1));
  });

  it('leaks no tensor over optimiser steps, and the loss falls', async () => {
    await setBackend('wasm');
    const model = smallCnn();
    const optimizer = train.adam(0.01);
    const x = tensor(images, [10, 12, 12, 1]);
    const y = tensor(labels, [10, 1]);
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    const lossAt = () => {
      const l = optimizer.minimize(() => loss(model, x, y), true, variables)!;
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    };
    const first = lossAt();
    const settled = memory().numTensors; // the optimiser's slots exist after the first step
    let last = first;
    for (let i = 0; i < 30; i++) last = lossAt();
    expect(memory().numTensors).toBe(settled);
    expect(last).toBeLessThan(first * 0.7);
    optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });
});
