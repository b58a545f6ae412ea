import * as tfl from '@tensorflow/tfjs-layers';
import { convCost, denseCost, sumCosts } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const STEPS = 32;
const FEATURES = 4;
const CLASSES = 5;

/**
 * A 1-D conv net over a [32 steps, 4 features] sequence: conv1 (kernel 5, relu), maxpool 2, conv2 (kernel 3, relu),
 * maxpool 2, flatten, dense relu 'fc1', dense softmax 'predictions' (5 classes).
 */
export const conv1d = defineZooEntry<ZooOptions>({
  name: 'conv1d',
  loss: 'categorical',
  widthGroups: { conv1: ['conv1'], conv2: ['conv2'], fc1: ['fc1'] },
  defaultWidths: () => ({ conv1: 8, conv2: 16, fc1: 16 }),
  inputShapes: () => [[STEPS, FEATURES]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const sequence = tfl.input({ shape: [STEPS, FEATURES], name: 'sequence' });
    let x = on(layers.conv1d({ name: 'conv1', filters: w['conv1']!, kernelSize: 5, activation: 'relu' }), sequence);
    x = on(tfl.layers.maxPooling1d({ name: 'pool1', poolSize: 2 }), x);
    x = on(layers.conv1d({ name: 'conv2', filters: w['conv2']!, kernelSize: 3, activation: 'relu' }), x);
    x = on(tfl.layers.maxPooling1d({ name: 'pool2', poolSize: 2 }), x);
    x = on(tfl.layers.flatten({ name: 'flatten' }), x);
    x = on(layers.dense({ name: 'fc1', units: w['fc1']!, activation: 'relu' }), x);
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: sequence, outputs: y, name: 'conv1d' });
  },
  cost(w) {
    return sumCosts([
      convCost(5, FEATURES, w['conv1']!, STEPS, true),
      convCost(3, w['conv1']!, w['conv2']!, STEPS / 2, true),
      denseCost(w['fc1']!, (STEPS / 4) * w['conv2']!),
      denseCost(CLASSES, w['fc1']!),
    ]);
  },
});
