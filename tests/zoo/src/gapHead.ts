import * as tfl from '@tensorflow/tfjs-layers';
import { convCost, denseCost, sameSize, sumCosts } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;

/**
 * A conv stack with separate ReLU layers: conv1 (3×3), conv2 (3×3 stride 2), conv3 (3×3), GlobalAveragePooling2D,
 * dense softmax 'predictions' (16×16×3 input, 10 classes).
 */
export const gapHead = defineZooEntry<ZooOptions>({
  name: 'gapHead',
  loss: 'categorical',
  widthGroups: { conv1: ['conv1'], conv2: ['conv2'], conv3: ['conv3'] },
  defaultWidths: () => ({ conv1: 8, conv2: 16, conv3: 16 }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    let x = on(layers.conv2d({ name: 'conv1', filters: w['conv1']!, kernelSize: 3 }), image);
    x = on(tfl.layers.activation({ name: 'relu1', activation: 'relu' }), x);
    x = on(layers.conv2d({ name: 'conv2', filters: w['conv2']!, kernelSize: 3, strides: 2 }), x);
    x = on(tfl.layers.activation({ name: 'relu2', activation: 'relu' }), x);
    x = on(layers.conv2d({ name: 'conv3', filters: w['conv3']!, kernelSize: 3 }), x);
    x = on(tfl.layers.activation({ name: 'relu3', activation: 'relu' }), x);
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'gap_head' });
  },
  cost(w) {
    const half = sameSize(SIZE, 2);
    return sumCosts([
      convCost(9, CHANNELS, w['conv1']!, SIZE * SIZE, true),
      convCost(9, w['conv1']!, w['conv2']!, half * half, true),
      convCost(9, w['conv2']!, w['conv3']!, half * half, true),
      denseCost(CLASSES, w['conv3']!),
    ]);
  },
});
