import { describe, expect, it } from 'vitest';
import { input, layers, model, sequential, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createSiameseModel } from '@prune/siamese';
import { countMacs } from './countMacs';
import { countParams } from './countParams';
import { pruneChannels } from '../surgery/pruneChannels';

const apply = (layer: { apply: (x: SymbolicTensor | SymbolicTensor[]) => unknown }, x: SymbolicTensor | SymbolicTensor[]) =>
  layer.apply(x) as SymbolicTensor;

/** Hand-computed costs of the lab's encoder with `c2` conv2 filters, for one image. */
function encoderCosts(c2: number) {
  const conv1 = { params: 3 * 3 * 1 * 16 + 16, macs: 28 * 28 * 16 * (3 * 3 * 1) };
  const conv2 = { params: 3 * 3 * 16 * c2 + c2, macs: 14 * 14 * c2 * (3 * 3 * 16) };
  const dense1 = { params: 7 * 7 * c2 * 128 + 128, macs: 7 * 7 * c2 * 128 };
  const embedding = { params: 128 * 64 + 64, macs: 128 * 64 };
  const flops =
    2 * conv1.macs + 28 * 28 * 16 /* bias */ +
    28 * 28 * 16 /* relu1 */ +
    14 * 14 * 16 * 4 /* pool1: 2×2 window per output */ +
    2 * conv2.macs + 14 * 14 * c2 /* bias */ +
    14 * 14 * c2 /* relu2 */ +
    7 * 7 * c2 * 4 /* pool2 */ +
    2 * dense1.macs + 128 /* bias */ + 128 /* relu */ +
    2 * embedding.macs + 64; /* bias */
  return { conv1, conv2, dense1, embedding, flops };
}

describe('countParams and countMacs', () => {
  it('count the Siamese model by hand: shared encoder params once, its compute twice per pair', async () => {
    const siamese = createSiameseModel({ seed: 1 });
    const enc = encoderCosts(32);
    const head = { params: 128 * 32 + 32 + 32 * 1 + 1, macs: 128 * 32 + 32 * 1 };
    const params = countParams(siamese);
    expect(params.total).toBe(enc.conv1.params + enc.conv2.params + enc.dense1.params + enc.embedding.params + head.params);
    expect(params.total).toBe(218049);
    expect(params.total).toBe(siamese.countParams());
    expect(params.nonTrainable).toBe(0);
    expect(params.layers.map((l) => l.path)).toEqual([
      'head_dense',
      'head_out',
      'encoder/conv1',
      'encoder/conv2',
      'encoder/dense1',
      'encoder/embedding',
    ]);

    const macs = countMacs(siamese);
    expect(macs.macs).toBe(2 * (enc.conv1.macs + enc.conv2.macs + enc.dense1.macs + enc.embedding.macs) + head.macs);
    expect(macs.macs).toBe(2454048);
    const headFlops = 2 * 128 * 32 + 32 + 32 /* relu */ + 2 * 32 + 1 + 1; /* sigmoid */
    expect(macs.flops).toBe(2 * enc.flops + headFlops);
    const conv2 = macs.layers.find((l) => l.path === 'encoder/conv2')!;
    expect(conv2.applications).toBe(2);
    expect(conv2.macs).toBe(2 * enc.conv2.macs);
    expect(macs.uncounted).toEqual(['fusion']);

    // After removing 8 of conv2's 32 channels: conv2 and dense1 shrink, nothing else.
    const pruned = await pruneChannels(siamese, { layer: 'encoder/conv2', pruned: [0, 1, 2, 3, 4, 5, 6, 7] });
    const small = encoderCosts(24);
    expect(countParams(pruned).total).toBe(small.conv1.params + small.conv2.params + small.dense1.params + small.embedding.params + head.params);
    expect(countParams(pruned).total).toBe(166713);
    expect(countMacs(pruned).macs).toBe(2 * (small.conv1.macs + small.conv2.macs + small.dense1.macs + small.embedding.macs) + head.macs);
    expect(countMacs(pruned).flops).toBe(2 * small.flops + headFlops);
    pruned.dispose();
    siamese.dispose();
  });

  it('count BatchNormalization, depthwise, separable, pooling and Dense layers of a Sequential model by hand', () => {
    const m = sequential({
      layers: [
        layers.conv2d({ name: 'conv', inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }), // → 6×6×4
        layers.batchNormalization({ name: 'bn' }),
        layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }), // → 6×6×8
        layers.maxPooling2d({ name: 'pool', poolSize: 2 }), // → 3×3×8
        layers.separableConv2d({ name: 'sep', filters: 5, kernelSize: 2 }), // → 2×2×5
        layers.globalAveragePooling2d({ name: 'gap' }), // → 5
        layers.dense({ name: 'fc', units: 2 }),
      ],
    });
    const params = countParams(m);
    expect(params.layers.map((l) => [l.path, l.params])).toEqual([
      ['conv', 3 * 3 * 3 * 4 + 4],
      ['bn', 4 * 4],
      ['dw', 3 * 3 * 4 * 2 + 8],
      ['sep', 2 * 2 * 8 * 1 + 8 * 5 + 5],
      ['fc', 5 * 2 + 2],
    ]);
    expect(params.total).toBe(297);
    expect(params.total).toBe(m.countParams());
    expect(params.nonTrainable).toBe(8); // moving mean and variance
    const macs = countMacs(m);
    const byPath = Object.fromEntries(macs.layers.map((l) => [l.path, l]));
    expect(byPath['conv']!.macs).toBe(6 * 6 * 4 * 27);
    expect(byPath['bn']!.macs).toBe(6 * 6 * 4);
    expect(byPath['dw']!.macs).toBe(6 * 6 * 8 * 9);
    expect(byPath['dw']!.flops).toBe(2 * 6 * 6 * 8 * 9 + 288 /* bias */ + 288 /* relu */);
    expect(byPath['pool']!.flops).toBe(3 * 3 * 8 * 4);
    expect(byPath['sep']!.macs).toBe(2 * 2 * 8 * 4 + 2 * 2 * 8 * 5);
    expect(byPath['gap']!.flops).toBe(2 * 2 * 5);
    expect(byPath['fc']!.macs).toBe(10);
    expect(macs.macs).toBe(3888 + 144 + 2592 + 288 + 10);
    expect(macs.uncounted).toEqual([]);
    m.dispose();
  });

  it('count merges and a Dense on a rank-3 input', () => {
    const x = input({ shape: [4, 6], name: 'x' });
    const a = apply(layers.dense({ name: 'a', units: 6, useBias: false }), x); // 4 positions × 6 × 6
    const sum = apply(layers.add({ name: 'sum' }), [x, a, a]);
    const m = model({ inputs: x, outputs: sum, name: 'merge' });
    const macs = countMacs(m);
    expect(macs.layers.find((l) => l.path === 'a')).toMatchObject({ macs: 4 * 6 * 6, flops: 2 * 4 * 6 * 6 });
    expect(macs.layers.find((l) => l.path === 'sum')).toMatchObject({ macs: 0, flops: 2 * 24 });
    m.dispose();
  });
});
