import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Mnist } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { runConfigSchema } from './runConfigSchema.js';
import { buildSeedData, sampleExcluding } from './buildSeedData.js';
import { hashSourceTree } from './hashSourceTree.js';
import { modelCacheKey, trainingCodeFingerprint } from './modelCache.js';

describe('sampleExcluding', () => {
  it('draws distinct indices outside the excluded set, the same for the same seed', () => {
    const a = sampleExcluding(100, 30, [1, 2, 3, 50], 7);
    expect(new Set(a).size).toBe(30);
    expect([...a].some((i) => [1, 2, 3, 50].includes(i) || i < 0 || i >= 100)).toBe(false);
    expect(sampleExcluding(100, 30, [1, 2, 3, 50], 7)).toEqual(a);
    expect(sampleExcluding(100, 30, [1, 2, 3, 50], 8)).not.toEqual(a);
    expect(() => sampleExcluding(10, 8, [0, 1, 2], 1)).toThrow('cannot draw 8 held-out images: only 7 remain');
  });
});

describe('buildSeedData on real MNIST', () => {
  let mnist: Mnist;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it("builds the reference's subsets and pairs; test calibration is the test pairs themselves", () => {
    const config = runConfigSchema.parse({ trainPairs: 1000, testPairs: 400 });
    const data = buildSeedData(mnist, config, 42);
    expect(data.train.split.count).toBe(6000);
    expect(data.test.split.count).toBe(1000);
    expect(data.train.count).toBe(1000);
    expect(data.calibration).toBe(data.test);
    expect(data.heldOut).toBe(false);
  });

  it('draws the train calibration split from train images outside the training subset', () => {
    const config = runConfigSchema.parse({ trainPairs: 1000, testPairs: 400, calibration: 'train', calibrationFraction: 0.05, calibrationPairs: 300 });
    const data = buildSeedData(mnist, config, 42);
    expect(data.heldOut).toBe(true);
    expect(data.calibration.count).toBe(300);
    expect(data.calibration.split.count).toBe(3000);
    const trainIndices = new Set(data.train.split.sourceIndices);
    const calibrationIndices = [...(data.calibration.split.sourceIndices ?? [])];
    expect(calibrationIndices).toHaveLength(3000);
    expect(calibrationIndices.filter((i) => trainIndices.has(i))).toEqual([]);
    // The images really are those train images, labels included.
    const i = calibrationIndices[17] as number;
    expect(data.calibration.split.labels[17]).toBe(mnist.train.labels[i]);
    expect(data.calibration.split.images.subarray(17 * 784, 18 * 784)).toEqual(mnist.train.images.subarray(i * 784, (i + 1) * 784));
  });

  it('keys the model cache by seed, training settings, backend, training code and data, and nothing else', () => {
    const config = runConfigSchema.parse({ trainPairs: 500, testPairs: 100 });
    const identity = { modelSeed: 1, trainSeed: 2, epochs: 10, batchSize: 64, learningRate: 1e-3, backend: 'wasm', threads: 2 };
    const data = buildSeedData(mnist, config, 42);
    const key = modelCacheKey(identity, data.train);
    expect(key).toMatch(/^[0-9a-f]{20}$/);
    // Test-side settings do not change the trained model.
    expect(modelCacheKey(identity, buildSeedData(mnist, { ...config, testPairs: 300, calibration: 'train' }, 42).train)).toBe(key);
    expect(modelCacheKey({ ...identity, epochs: 9 }, data.train)).not.toBe(key);
    expect(modelCacheKey(identity, buildSeedData(mnist, config, 43).train)).not.toBe(key);
    expect(modelCacheKey(identity, buildSeedData(mnist, { ...config, trainPairs: 502 }, 42).train)).not.toBe(key);
    expect(modelCacheKey({ ...identity, backend: 'cpu', threads: null }, data.train)).not.toBe(key);
    expect(modelCacheKey({ ...identity, threads: 1 }, data.train)).not.toBe(key);
    // The training code itself: the files of the training packages as loaded (their src/ here), and tfjs' version.
    const code = trainingCodeFingerprint();
    const root = fileURLToPath(new URL('../../../packages/', import.meta.url));
    for (const name of ['siamese', 'backend', 'mnist-pairs']) expect(code[`@prune/${name}`]).toBe(hashSourceTree(join(root, name, 'src')));
    expect(code['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(modelCacheKey(identity, data.train, code)).toBe(key);
    expect(modelCacheKey(identity, data.train, { ...code, '@prune/backend': '0'.repeat(64) })).not.toBe(key);
    expect(modelCacheKey(identity, data.train, { ...code, '@tensorflow/tfjs-core': '4.23.0' })).not.toBe(key);
  });
});
