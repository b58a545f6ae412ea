import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormCost, convCost, denseCost, sumCosts, type Cost } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;
/** Layers per dense block; a transition (halving the map) sits between consecutive blocks. */
const BLOCK_LAYERS = [3, 2] as const;

const convNames = (block: number) => Array.from({ length: BLOCK_LAYERS[block - 1]! }, (_, j) => `dense${block}_layer${j + 1}_conv`);
const transitionNames = BLOCK_LAYERS.slice(1).map((_, i) => `transition${i + 1}_conv`);

/**
 * A small DenseNet on 16×16×3: stem conv3×3 (with bias), dense block 1 (3 layers), transition 1 (BN-relu-1×1
 * conv-avgpool 2), dense block 2 (2 layers), BN-relu, GAP, dense softmax. Each dense layer is BN-relu-conv3×3 (growth
 * 4 by default, no bias) whose output is Concatenated with its input, so every conv is its own width key and the
 * channel count after a block is the sum of the widths before it.
 */
export const densenet = defineZooEntry<ZooOptions>({
  name: 'densenet',
  loss: 'categorical',
  widthGroups: Object.fromEntries(
    ['stem_conv', ...convNames(1), ...transitionNames, ...convNames(2)].map((name) => [name, [name]]),
  ),
  defaultWidths: () => ({
    stem_conv: 8,
    ...Object.fromEntries([...convNames(1), ...convNames(2)].map((name) => [name, 4])),
    transition1_conv: 10,
  }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const bnRelu = (x: tfl.SymbolicTensor, p: string) =>
      on(tfl.layers.activation({ name: `${p}_relu`, activation: 'relu' }), on(tfl.layers.batchNormalization({ name: `${p}_bn` }), x));
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    let x = on(layers.conv2d({ name: 'stem_conv', filters: w['stem_conv']!, kernelSize: 3 }), image);
    BLOCK_LAYERS.forEach((count, i) => {
      const block = i + 1;
      if (block > 1) {
        const p = `transition${block - 1}`;
        x = on(layers.conv2d({ name: `${p}_conv`, filters: w[`${p}_conv`]!, kernelSize: 1, useBias: false }), bnRelu(x, p));
        x = on(tfl.layers.averagePooling2d({ name: `${p}_pool`, poolSize: 2 }), x);
      }
      for (let j = 1; j <= count; j++) {
        const p = `dense${block}_layer${j}`;
        const grown = on(layers.conv2d({ name: `${p}_conv`, filters: w[`${p}_conv`]!, kernelSize: 3, useBias: false }), bnRelu(x, p));
        x = on(tfl.layers.concatenate({ name: `${p}_concat` }), [x, grown]);
      }
    });
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), bnRelu(x, 'final'));
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'densenet' });
  },
  cost(w) {
    let positions = SIZE * SIZE;
    let channels = w['stem_conv']!;
    const costs: Cost[] = [convCost(9, CHANNELS, channels, positions, true)];
    BLOCK_LAYERS.forEach((count, i) => {
      const block = i + 1;
      if (block > 1) {
        const out = w[`transition${block - 1}_conv`]!;
        costs.push(batchNormCost(channels, positions), convCost(1, channels, out, positions, false));
        channels = out;
        positions /= 4; // average pooling 2×2
      }
      for (let j = 1; j <= count; j++) {
        const growth = w[`dense${block}_layer${j}_conv`]!;
        costs.push(batchNormCost(channels, positions), convCost(9, channels, growth, positions, false));
        channels += growth;
      }
    });
    costs.push(batchNormCost(channels, positions), denseCost(CLASSES, channels));
    return sumCosts(costs);
  },
});
