import { gather, memory, randomNormal, tensor1d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { applyChannelMask, binaryAccuracy, createMaskEvaluator, maskChannels, pruneChannels } from '@prune/core';
import { createSiameseModel } from '@prune/siamese';
import { describe, expect, it } from 'vitest';
import { channelsOff, evaluateMask } from './evaluateMask';

describe('evaluateMask: the page mask (1 = on) through the core evaluator, as the page builds it', () => {
  it('equals a masked copy and the pruned model on the pairs, from per-image features at pool2', async () => {
    const model = createSiameseModel({ seed: 5 });
    const images = randomNormal([30, 28, 28, 1], 0, 1, 'float32', 2);
    const left = Int32Array.from({ length: 50 }, (_, i) => (i * 7) % 30);
    const right = Int32Array.from({ length: 50 }, (_, i) => (i * 11 + 3) % 30);
    const labels = Uint8Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const pairs = tidy(() => [gather(images, tensor1d(left, 'int32')), gather(images, tensor1d(right, 'int32'))]);
    const encoder = model.getLayer('encoder') as unknown as LayersModel;
    const features = functionalModel({ inputs: encoder.inputs, outputs: encoder.getLayer('pool2').output as SymbolicTensor }).predict(images) as Tensor;
    const before = memory().numTensors;
    const evaluator = await createMaskEvaluator(model, 'encoder/conv2', { features: { layer: 'encoder/pool2', values: features, unitOfExample: [left, right] }, labels });
    for (const off of [[], [7], [0, 1, 2, 30]]) {
      const mask = Uint8Array.from({ length: 32 }, (_, c) => (off.includes(c) ? 0 : 1));
      expect(channelsOff(mask)).toEqual(off);
      const got = evaluateMask(evaluator, mask);
      const copy = await applyChannelMask(model, maskChannels('conv2', 32, off));
      const p = copy.predict(pairs) as Tensor;
      const expected = p.dataSync() as Float32Array;
      got.probabilities.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5));
      expect(got.accuracy).toBe(binaryAccuracy().compute(expected, labels, 1));
      expect(got.correct).toBe(Math.round(got.accuracy * 50));
      expect(got.count).toBe(50);
      if (off.length > 0) {
        // What the page shows is the model the user would get by removing those channels.
        const pruned = await pruneChannels(model, maskChannels('encoder/conv2', 32, off));
        const q = pruned.predict(pairs) as Tensor;
        const smaller = q.dataSync() as Float32Array;
        got.probabilities.forEach((v, i) => expect(Math.abs(v - smaller[i]!)).toBeLessThan(1e-5));
        q.dispose();
        pruned.dispose();
      }
      p.dispose();
      copy.dispose();
    }
    const allOff = evaluateMask(evaluator, new Uint8Array(32)); // every channel off: the page allows it
    expect(allOff.probabilities.every(Number.isFinite)).toBe(true);
    expect(() => evaluateMask(evaluator, [1, 0])).toThrow(/Mask has 2 entries, layer 'encoder\/conv2' has 32 channels/);
    evaluator.dispose();
    expect(memory().numTensors).toBe(before);
    features.dispose();
    images.dispose();
    pairs.forEach((t) => t.dispose());
    model.dispose();
  });
});
