import * as tfl from '@tensorflow/tfjs-layers';
import { convCost, denseCost, sumCosts, type Cost } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 12;

/**
 * A Siamese pair model: a nested model 'encoder' (enc_conv1 3×3 relu, maxpool 2, enc_conv2 3×3 relu, maxpool 2,
 * flatten, dense 'enc_dense') applied to inputs 'left' and 'right' ([12, 12, 1] each), fused by standard layers as
 * concat(max(z1, z2), min(z1, z2), z1·z2) (tfjs-layers 4.22 has no Subtract layer; |z1−z2| = max − min is one linear
 * step of the head away), then dense relu 'head_dense' and dense sigmoid 'head_out' (1 unit).
 * The encoder's MACs count twice (once per branch), its params once.
 */
export const siamese = defineZooEntry<ZooOptions>({
  name: 'siamese',
  loss: 'binary',
  widthGroups: { enc_conv1: ['enc_conv1'], enc_conv2: ['enc_conv2'], enc_dense: ['enc_dense'], head_dense: ['head_dense'] },
  defaultWidths: () => ({ enc_conv1: 4, enc_conv2: 8, enc_dense: 16, head_dense: 8 }),
  inputShapes: () => [
    [SIZE, SIZE, 1],
    [SIZE, SIZE, 1],
  ],
  outputUnits: () => 1,
  assemble(w, layers) {
    const image = tfl.input({ shape: [SIZE, SIZE, 1], name: 'image' });
    let x = on(layers.conv2d({ name: 'enc_conv1', filters: w['enc_conv1']!, kernelSize: 3, activation: 'relu' }), image);
    x = on(tfl.layers.maxPooling2d({ name: 'enc_pool1', poolSize: 2 }), x);
    x = on(layers.conv2d({ name: 'enc_conv2', filters: w['enc_conv2']!, kernelSize: 3, activation: 'relu' }), x);
    x = on(tfl.layers.maxPooling2d({ name: 'enc_pool2', poolSize: 2 }), x);
    x = on(tfl.layers.flatten({ name: 'enc_flatten' }), x);
    const z = on(layers.dense({ name: 'enc_dense', units: w['enc_dense']! }), x);
    const encoder = tfl.model({ inputs: image, outputs: z, name: 'encoder' });

    const left = tfl.input({ shape: [SIZE, SIZE, 1], name: 'left' });
    const right = tfl.input({ shape: [SIZE, SIZE, 1], name: 'right' });
    const z1 = encoder.apply(left) as tfl.SymbolicTensor;
    const z2 = encoder.apply(right) as tfl.SymbolicTensor;
    const high = on(tfl.layers.maximum({ name: 'fusion_max' }), [z1, z2]);
    const low = on(tfl.layers.minimum({ name: 'fusion_min' }), [z1, z2]);
    const product = on(tfl.layers.multiply({ name: 'fusion_product' }), [z1, z2]);
    let h = on(tfl.layers.concatenate({ name: 'fusion' }), [high, low, product]);
    h = on(layers.dense({ name: 'head_dense', units: w['head_dense']!, activation: 'relu' }), h);
    const p = on(layers.dense({ name: 'head_out', units: 1, activation: 'sigmoid' }), h);
    return tfl.model({ inputs: [left, right], outputs: p, name: 'siamese' });
  },
  cost(w) {
    const half = SIZE / 2;
    const quarter = SIZE / 4;
    const encoder = sumCosts([
      convCost(9, 1, w['enc_conv1']!, SIZE * SIZE, true),
      convCost(9, w['enc_conv1']!, w['enc_conv2']!, half * half, true),
      denseCost(w['enc_dense']!, quarter * quarter * w['enc_conv2']!),
    ]);
    const twice: Cost = { params: encoder.params, macs: 2 * encoder.macs };
    return sumCosts([twice, denseCost(w['head_dense']!, 3 * w['enc_dense']!), denseCost(1, w['head_dense']!)]);
  },
});
