import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormCost, convCost, denseCost, separableCost, sameSize, sumCosts, type Cost } from './layerCost';
import { defineZooEntry, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

const SIZE = 16;
const CHANNELS = 3;
const CLASSES = 10;
/** Per block: the depth multiplier of its first separable conv (block 2's is 2) and whether that conv has a bias. */
const BLOCKS = [
  { block: 1, multiplier: 1, bias: false },
  { block: 2, multiplier: 2, bias: true },
] as const;

/**
 * A small Xception on 16×16×3: stem conv3×3-BN-relu, then two residual blocks, each
 * [relu (block 2 only)] sep3×3-BN-relu-sep3×3-BN-maxpool 3×3 stride 2, added to a 1×1 stride-2 conv + BN shortcut;
 * relu, GAP, dense softmax. block2_sep1 has depthMultiplier 2 and a bias; the other convs have no bias. The second
 * separable conv of a block and its shortcut are coupled by the Add: key 'blockN_sep2' sets both.
 */
export const xception = defineZooEntry<ZooOptions>({
  name: 'xception',
  loss: 'categorical',
  widthGroups: {
    stem_conv: ['stem_conv'],
    block1_sep1: ['block1_sep1'],
    block1_sep2: ['block1_sep2', 'block1_shortcut'],
    block2_sep1: ['block2_sep1'],
    block2_sep2: ['block2_sep2', 'block2_shortcut'],
  },
  defaultWidths: () => ({ stem_conv: 8, block1_sep1: 16, block1_sep2: 16, block2_sep1: 32, block2_sep2: 32 }),
  inputShapes: () => [[SIZE, SIZE, CHANNELS]],
  outputUnits: () => CLASSES,
  assemble(w, layers) {
    const bn = (name: string) => tfl.layers.batchNormalization({ name });
    const relu = (name: string) => tfl.layers.activation({ name, activation: 'relu' });
    const image = tfl.input({ shape: [SIZE, SIZE, CHANNELS], name: 'image' });
    let x = on(layers.conv2d({ name: 'stem_conv', filters: w['stem_conv']!, kernelSize: 3, useBias: false }), image);
    x = on(relu('stem_relu'), on(bn('stem_bn'), x));
    for (const { block, multiplier, bias } of BLOCKS) {
      const p = `block${block}`;
      let y = block > 1 ? on(relu(`${p}_relu0`), x) : x;
      y = on(layers.separableConv2d({ name: `${p}_sep1`, filters: w[`${p}_sep1`]!, kernelSize: 3, depthMultiplier: multiplier, useBias: bias }), y);
      y = on(relu(`${p}_sep1_relu`), on(bn(`${p}_sep1_bn`), y));
      y = on(layers.separableConv2d({ name: `${p}_sep2`, filters: w[`${p}_sep2`]!, kernelSize: 3, useBias: false }), y);
      y = on(bn(`${p}_sep2_bn`), y);
      y = on(tfl.layers.maxPooling2d({ name: `${p}_pool`, poolSize: 3, strides: 2, padding: 'same' }), y);
      let shortcut = on(layers.conv2d({ name: `${p}_shortcut`, filters: w[`${p}_sep2`]!, kernelSize: 1, strides: 2, useBias: false }), x);
      shortcut = on(bn(`${p}_shortcut_bn`), shortcut);
      x = on(tfl.layers.add({ name: `${p}_add` }), [y, shortcut]);
    }
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), on(relu('exit_relu'), x));
    const y = on(layers.dense({ name: 'predictions', units: CLASSES, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'xception' });
  },
  cost(w) {
    let size = SIZE;
    let channels = w['stem_conv']!;
    const costs: Cost[] = [convCost(9, CHANNELS, channels, size * size, false), batchNormCost(channels, size * size)];
    for (const { block, multiplier, bias } of BLOCKS) {
      const positions = size * size;
      const mid = w[`block${block}_sep1`]!;
      const out = w[`block${block}_sep2`]!;
      const pooled = sameSize(size, 2);
      costs.push(separableCost(9, channels, multiplier, mid, positions, bias), batchNormCost(mid, positions));
      costs.push(separableCost(9, mid, 1, out, positions, false), batchNormCost(out, positions));
      costs.push(convCost(1, channels, out, pooled * pooled, false), batchNormCost(out, pooled * pooled));
      size = pooled;
      channels = out;
    }
    costs.push(denseCost(CLASSES, channels));
    return sumCosts(costs);
  },
});
