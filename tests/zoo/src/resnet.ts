import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormCost, convCost, denseCost, sameSize, sumCosts, type Cost } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;
/** Two stages of two basic blocks; the first block of stage 2 halves the map and projects its shortcut. */
const STAGES = [
  { stage: 1, key: 'stem_conv', stride: 1 },
  { stage: 2, key: 'block2a_conv2', stride: 2 },
] as const;
const BLOCKS = ['a', 'b'] as const;

/**
 * A ResNet-18-style net on 16×16×3: stem conv3×3-BN-relu, then stages of basic blocks (conv3×3-BN-relu-conv3×3-BN,
 * Add with the shortcut, relu). Block 'block2a' has stride 2 and a projection shortcut (1×1 conv stride 2 + BN).
 * GAP, dense softmax (10 classes). Convs before a BN have no bias. Each stage's width is coupled through its Adds:
 * 'stem_conv' sets stem_conv, block1a_conv2, block1b_conv2; 'block2a_conv2' sets block2a_conv2, block2a_shortcut,
 * block2b_conv2.
 */
export const resnet = defineZooEntry<ZooOptions>({
  name: 'resnet',
  loss: 'categorical',
  widthGroups: {
    stem_conv: ['stem_conv', 'block1a_conv2', 'block1b_conv2'],
    block1a_conv1: ['block1a_conv1'],
    block1b_conv1: ['block1b_conv1'],
    block2a_conv1: ['block2a_conv1'],
    block2a_conv2: ['block2a_conv2', 'block2a_shortcut', 'block2b_conv2'],
    block2b_conv1: ['block2b_conv1'],
  },
  defaultWidths: () => ({ stem_conv: 8, block1a_conv1: 8, block1b_conv1: 8, block2a_conv1: 16, block2a_conv2: 16, block2b_conv1: 16 }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const bn = (name: string) => tfl.layers.batchNormalization({ name });
    const relu = (name: string) => tfl.layers.activation({ name, activation: 'relu' });
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    let x = on(layers.conv2d({ name: 'stem_conv', filters: w['stem_conv']!, kernelSize: 3, useBias: false }), image);
    x = on(relu('stem_relu'), on(bn('stem_bn'), x));
    for (const { stage, key, stride } of STAGES) {
      BLOCKS.forEach((letter, i) => {
        const p = `block${stage}${letter}`;
        const strides = i === 0 ? stride : 1;
        let y = on(layers.conv2d({ name: `${p}_conv1`, filters: w[`${p}_conv1`]!, kernelSize: 3, strides, useBias: false }), x);
        y = on(relu(`${p}_relu1`), on(bn(`${p}_bn1`), y));
        y = on(layers.conv2d({ name: `${p}_conv2`, filters: w[key]!, kernelSize: 3, useBias: false }), y);
        y = on(bn(`${p}_bn2`), y);
        let shortcut = x;
        if (strides !== 1) {
          shortcut = on(layers.conv2d({ name: `${p}_shortcut`, filters: w[key]!, kernelSize: 1, strides, useBias: false }), x);
          shortcut = on(bn(`${p}_shortcut_bn`), shortcut);
        }
        x = on(relu(`${p}_out`), on(tfl.layers.add({ name: `${p}_add` }), [y, shortcut]));
      });
    }
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'resnet' });
  },
  cost(w) {
    const costs: Cost[] = [];
    let size = SIZE;
    let channels = w['stem_conv']!;
    costs.push(convCost(9, CHANNELS, channels, size * size, false), batchNormCost(channels, size * size));
    for (const { stage, key, stride } of STAGES) {
      BLOCKS.forEach((letter, i) => {
        const p = `block${stage}${letter}`;
        const strides = i === 0 ? stride : 1;
        const out = sameSize(size, strides);
        const positions = out * out;
        const mid = w[`${p}_conv1`]!;
        const width = w[key]!;
        costs.push(convCost(9, channels, mid, positions, false), batchNormCost(mid, positions));
        costs.push(convCost(9, mid, width, positions, false), batchNormCost(width, positions));
        if (strides !== 1) costs.push(convCost(1, channels, width, positions, false), batchNormCost(width, positions));
        size = out;
        channels = width;
      });
    }
    costs.push(denseCost(CLASSES, channels));
    return sumCosts(costs);
  },
});
