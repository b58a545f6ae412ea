import * as tfl from '@tensorflow/tfjs-layers';
import { convCost, denseCost, sameSize, sumCosts } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;
const BLOCKS = [1, 2] as const;

/**
 * A small VGG: two blocks of conv3×3-relu, conv3×3-relu, maxpool 2 (16×16×3 → 4×4), flatten, dense relu 'fc1',
 * dense softmax 'predictions' (10 classes). Every layer is independent (no coupling).
 */
export const vgg = defineZooEntry<ZooOptions>({
  name: 'vgg',
  loss: 'categorical',
  widthGroups: {
    block1_conv1: ['block1_conv1'],
    block1_conv2: ['block1_conv2'],
    block2_conv1: ['block2_conv1'],
    block2_conv2: ['block2_conv2'],
    fc1: ['fc1'],
  },
  defaultWidths: () => ({ block1_conv1: 8, block1_conv2: 8, block2_conv1: 16, block2_conv2: 16, fc1: 32 }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    let x = image;
    for (const b of BLOCKS) {
      for (const c of [1, 2]) {
        const name = `block${b}_conv${c}`;
        x = on(layers.conv2d({ name, filters: w[name]!, kernelSize: 3, activation: 'relu' }), x);
      }
      x = on(tfl.layers.maxPooling2d({ name: `block${b}_pool`, poolSize: 2 }), x);
    }
    x = on(tfl.layers.flatten({ name: 'flatten' }), x);
    x = on(layers.dense({ name: 'fc1', units: w['fc1']!, activation: 'relu' }), x);
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'vgg' });
  },
  cost(w) {
    const s1 = SIZE; // block 1 at 16×16
    const s2 = sameSize(s1, 2); // block 2 at 8×8
    const s3 = sameSize(s2, 2); // flatten of 4×4
    return sumCosts([
      convCost(9, CHANNELS, w['block1_conv1']!, s1 * s1, true),
      convCost(9, w['block1_conv1']!, w['block1_conv2']!, s1 * s1, true),
      convCost(9, w['block1_conv2']!, w['block2_conv1']!, s2 * s2, true),
      convCost(9, w['block2_conv1']!, w['block2_conv2']!, s2 * s2, true),
      denseCost(w['fc1']!, s3 * s3 * w['block2_conv2']!),
      denseCost(CLASSES, w['fc1']!),
    ]);
  },
});
