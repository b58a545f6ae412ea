import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import type { ChannelStats, ReduceOn } from './ChannelStatsAccumulator';
import { collectActivationStats } from './collectActivationStats';
import { materialise } from './test-utils/materialise';
import { naiveStats } from './test-utils/naiveStats';
import { randomImages, tinySiamese } from './test-utils/tinySiamese';

/** Compares streamed statistics with the naive ones; `tol` is relative to max(1, |expected|), apoz is exact. */
function expectMatchesNaive(actual: ChannelStats, expected: Omit<ChannelStats, 'layer'>, tol: number): void {
  expect(actual.channels).toBe(expected.channels);
  expect(actual.images).toBe(expected.images);
  expect(actual.positions).toBe(expected.positions);
  expect(actual.values).toBe(expected.values);
  expect(actual.mapShape).toEqual(expected.mapShape);
  expect(Array.from(actual.apoz)).toEqual(Array.from(expected.apoz));
  for (const f of ['mean', 'meanAbs', 'std', 'min', 'max', 'meanMap'] as const) {
    const a = actual[f];
    const e = expected[f];
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i]! - e[i]!) <= tol * Math.max(1, Math.abs(e[i]!)))) {
        throw new Error(`${actual.layer}.${f}[${i}]: got ${a[i]}, naive ${e[i]} (tolerance ${tol})`);
      }
    }
  }
  // The variance relative to itself: it is the quantity most exposed to cancellation.
  for (let i = 0; i < expected.variance.length; i++) {
    const e = expected.variance[i]!;
    if (!(Math.abs(actual.variance[i]! - e) <= tol * Math.max(e, 1e-12))) {
      throw new Error(`${actual.layer}.variance[${i}]: got ${actual.variance[i]}, naive ${e}`);
    }
  }
}

function pairsOfBatches(sizes: number[], side: number, seed: number, dataFormat: 'channelsLast' | 'channelsFirst' = 'channelsLast') {
  return sizes.map((n, i) => [randomImages(n, side, seed + 2 * i, dataFormat), randomImages(n, side, seed + 2 * i + 1, dataFormat)] as [tf.Tensor4D, tf.Tensor4D]);
}

describe('collectActivationStats on a small Siamese model', () => {
  for (const dataFormat of ['channelsLast', 'channelsFirst'] as const) {
    for (const reduceOn of ['device', 'host'] as ReduceOn[]) {
      it(`matches the naive recomputation for both encoder applications (${dataFormat}, ${reduceOn})`, async () => {
        const model = tinySiamese({ dataFormat });
        const encoder = model.getLayer('encoder') as tfl.LayersModel;
        const batches = pairsOfBatches([5, 7, 3], 8, 100, dataFormat);
        const before = tf.memory().numTensors;
        const stats = await collectActivationStats(model, batches, {
          layers: ['conv2', 'encoder/relu1', 'embedding'],
          reduceOn,
          // An Activation layer has no dataFormat of its own: say it per layer.
          dataFormat: dataFormat === 'channelsFirst' ? { 'encoder/relu1': 'channelsFirst' } : undefined,
        });
        expect(tf.memory().numTensors).toBe(before);
        const flat = batches.flat();
        const tol = reduceOn === 'host' ? 1e-12 : 1e-5;
        // conv2's own dataFormat is picked up when none is given.
        expectMatchesNaive(stats.conv2!, naiveStats(materialise(encoder, 'conv2', flat), dataFormat), tol);
        expectMatchesNaive(stats['encoder/relu1']!, naiveStats(materialise(encoder, 'relu1', flat), dataFormat), tol);
        expectMatchesNaive(stats.embedding!, naiveStats(materialise(encoder, 'embedding', flat)), tol);
        expect(stats.conv2!.images).toBe(2 * 15);
        expect(stats.conv2!.mapShape).toEqual([8, 4, 4]);
        expect(stats.embedding!.mapShape).toEqual([6, 1, 1]);
        tf.dispose(flat);
        model.dispose();
      });
    }
  }

  it('hands over the predictions of the same pass, equal to a plain predict', async () => {
    const model = tinySiamese();
    const batches = pairsOfBatches([4, 6], 8, 7);
    const seen: number[] = [];
    const starts: number[] = [];
    let forwardCalls = 0;
    const conv1 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv1');
    const originalCall = conv1.call;
    conv1.call = function counted(this: tfl.layers.Layer, ...args: Parameters<typeof originalCall>) {
      forwardCalls++;
      return originalCall.apply(this, args);
    };
    try {
      await collectActivationStats(model, batches, {
        layers: ['conv2'],
        onPredictions: async (output, batch) => {
          starts.push(batch.start);
          seen.push(...(await (output as tf.Tensor).data()));
        },
      });
    } finally {
      delete (conv1 as { call?: unknown }).call;
    }
    expect(forwardCalls).toBe(4); // one forward per batch, two encoder applications each: no second pass
    expect(starts).toEqual([0, 4]);
    const expected: number[] = [];
    for (const [l, r] of batches) {
      const p = model.predict([l, r]) as tf.Tensor;
      expected.push(...p.dataSync());
      p.dispose();
    }
    expect(seen).toEqual(expected);
    tf.dispose(batches.flat());
  });

  it('does not count forward passes that a callback runs itself', async () => {
    const model = tinySiamese();
    const batches = pairsOfBatches([3, 3], 8, 70);
    const stats = await collectActivationStats(model, batches, {
      layers: ['conv2'],
      onPredictions: () => {
        tf.dispose(model.predict(batches[0]!) as tf.Tensor); // e.g. an evaluator running the model again
      },
    });
    expect(stats.conv2!.images).toBe(12);
    tf.dispose(batches.flat());
  });

  it('accepts async iterables, disposes inputs on request, and leaks nothing', async () => {
    const model = tinySiamese();
    const before = tf.memory().numTensors;
    async function* stream() {
      for (const pair of pairsOfBatches([3, 3], 8, 50)) yield pair;
    }
    const stats = await collectActivationStats(model, stream(), { layers: ['conv1'], disposeInputs: true });
    expect(stats.conv1!.images).toBe(12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('removes its taps and frees everything when a callback throws', async () => {
    const model = tinySiamese();
    const conv2 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv2');
    const batches = pairsOfBatches([2, 2], 8, 9);
    const before = tf.memory().numTensors;
    await expect(
      collectActivationStats(model, batches, {
        layers: ['conv2'],
        onPredictions: () => {
          throw new Error('evaluator failed');
        },
      }),
    ).rejects.toThrow('evaluator failed');
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(batches.flat());
  });

  it('keeps the first error when the cleanup after it throws too: the cleanup error becomes its cause', async () => {
    const model = tinySiamese();
    const conv2 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv2');
    const batches = pairsOfBatches([2], 8, 11);
    const before = tf.memory().numTensors;
    // Freeing can fail after a failure inside a backend (a wasm heap out of memory); here the input's dispose does.
    const [left] = batches[0]!;
    const dispose = left.dispose.bind(left);
    left.dispose = () => {
      throw new Error('dispose failed');
    };
    const failure = await collectActivationStats(model, batches, {
      layers: ['conv2'],
      disposeInputs: true,
      onPredictions: () => {
        throw new Error('evaluator failed');
      },
    }).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('evaluator failed');
    expect(((failure as Error).cause as Error).message).toBe('dispose failed');
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(false);
    dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('gives clear errors naming the layers that exist', async () => {
    const model = tinySiamese();
    const batches = pairsOfBatches([2, 2], 8, 1);
    const run = (layers: string[], items: unknown = batches) =>
      collectActivationStats(model, items as tf.Tensor[][], { layers });
    await expect(run(['conv9'])).rejects.toThrow(/no layer 'conv9' in model 'tiny_siamese' \(did you mean 'encoder\/conv1'\?\)\. Layers \(path, class, output\):\n[\s\S]*encoder\/conv2 \(Conv2D/);
    await expect(run(['flatten'])).rejects.toThrow(
      /layer 'flatten' \(encoder\/flatten, Flatten\) is a Flatten: its features mix positions and channels; tap the layer before it\. Layers with channels:\n[\s\S]*encoder\/relu2 \(Activation, output \[B,4,4,8\]\)/,
    );
    await expect(run(['flatten'])).rejects.not.toThrow(/encoder\/flatten \(Flatten/);
    await expect(run(['left'])).rejects.toThrow(/'left' \(left, InputLayer\) is an InputLayer/);
    await expect(run([])).rejects.toThrow(/options\.layers must name at least one layer/);
    await expect(run(['conv2', 'encoder/conv2'])).resolves.toBeDefined();
    await expect(run(['conv2', 'conv2'])).rejects.toThrow(/'conv2' is listed twice/);
    await expect(run(['conv2'], [[batches[0]![0]]])).rejects.toThrow(/batch 0 must be an array of 2 Tensors \(model 'tiny_siamese' inputs: left, right\), got an array of 1/);
    await expect(run(['conv2'], [])).rejects.toThrow(/the batch stream was empty/);
    const controller = new AbortController();
    const aborting = collectActivationStats(model, batches, {
      layers: ['conv2'],
      signal: controller.signal,
      onPredictions: () => controller.abort(),
    });
    await expect(aborting).rejects.toThrow(/aborted before batch 1/);
    tf.dispose(batches.flat());
  });
});
