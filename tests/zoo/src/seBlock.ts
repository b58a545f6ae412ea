import * as tfl from '@tensorflow/tfjs-layers';
import { convCost, denseCost, sameSize, sumCosts } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;

/**
 * A conv (3×3 relu) with squeeze-and-excite: GlobalAveragePooling2D → Reshape [1,1,C] → 1×1 conv relu 'se_squeeze'
 * → 1×1 conv sigmoid 'se_excite' → Multiply with conv1's map; then conv2 (3×3 stride 2 relu), GAP, dense softmax.
 * `se_excite` is coupled to `conv1` through the Multiply, so both are the width 'conv1'.
 * (The Reshape is needed: tfjs-layers 4.22's GlobalAveragePooling2D ignores keepDims.)
 */
export const seBlock = defineZooEntry<ZooOptions>({
  name: 'seBlock',
  loss: 'categorical',
  widthGroups: { conv1: ['conv1', 'se_excite'], se_squeeze: ['se_squeeze'], conv2: ['conv2'] },
  defaultWidths: () => ({ conv1: 16, se_squeeze: 4, conv2: 32 }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    const features = on(layers.conv2d({ name: 'conv1', filters: w['conv1']!, kernelSize: 3, activation: 'relu' }), image);
    let s = on(tfl.layers.globalAveragePooling2d({ name: 'se_pool' }), features);
    s = on(tfl.layers.reshape({ name: 'se_reshape', targetShape: [1, 1, w['conv1']!] }), s);
    s = on(layers.conv2d({ name: 'se_squeeze', filters: w['se_squeeze']!, kernelSize: 1, activation: 'relu' }), s);
    s = on(layers.conv2d({ name: 'se_excite', filters: w['conv1']!, kernelSize: 1, activation: 'sigmoid' }), s);
    let x = on(tfl.layers.multiply({ name: 'se_scale' }), [features, s]);
    x = on(layers.conv2d({ name: 'conv2', filters: w['conv2']!, kernelSize: 3, strides: 2, activation: 'relu' }), x);
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'se_block' });
  },
  cost(w) {
    const half = sameSize(SIZE, 2);
    return sumCosts([
      convCost(9, CHANNELS, w['conv1']!, SIZE * SIZE, true),
      convCost(1, w['conv1']!, w['se_squeeze']!, 1, true),
      convCost(1, w['se_squeeze']!, w['conv1']!, 1, true),
      convCost(9, w['conv1']!, w['conv2']!, half * half, true),
      denseCost(CLASSES, w['conv2']!),
    ]);
  },
});
