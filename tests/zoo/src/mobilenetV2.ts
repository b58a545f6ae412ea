import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormCost, convCost, denseCost, depthwiseCost, sameSize, sumCosts, type Cost } from './layerCost';
import { defineZooEntry, type Widths, type ZooOptions } from './zooEntry';
import { on } from './seededLayers';

/** Options of {@link mobilenetV2}: the zoo's small default, or {@link MOBILENET_V2_FULL}. */
export interface MobileNetV2Options extends ZooOptions {
  /** Side of the square RGB input (default 32). */
  inputSize?: number;
  /** Keras's alpha: scales every width, rounded to a multiple of 8 (default 0.35). */
  widthMultiplier?: number;
  /** Output classes (default 10). */
  classes?: number;
}

/** The real MobileNetV2 1.0 at 224×224×3 with 1000 classes (3,538,984 params in Keras), for benchmarks. */
export const MOBILENET_V2_FULL: Readonly<MobileNetV2Options> = Object.freeze({ inputSize: 224, widthMultiplier: 1, classes: 1000 });

/** The paper's stages: expansion t, output channels c, blocks n, first stride s. */
const STAGES = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: 6, c: 24, n: 2, s: 2 },
  { t: 6, c: 32, n: 3, s: 2 },
  { t: 6, c: 64, n: 4, s: 2 },
  { t: 6, c: 96, n: 3, s: 1 },
  { t: 6, c: 160, n: 3, s: 2 },
  { t: 6, c: 320, n: 1, s: 1 },
] as const;

interface Block {
  id: number;
  /** Expansion factor; 1 means no expand conv (block 0). */
  t: number;
  /** Its stage's output channels at α = 1. */
  c: number;
  stride: number;
  /** The width key of its project conv, shared by every block of its stage (their Adds couple them). */
  projectKey: string;
  /** Whether it ends with an Add of its input (every block of a stage but the first). */
  residual: boolean;
}

const BLOCKS: Block[] = STAGES.flatMap((stage, si) => {
  const first = STAGES.slice(0, si).reduce((sum, s) => sum + s.n, 0);
  return Array.from({ length: stage.n }, (_, i) => ({
    id: first + i,
    t: stage.t,
    c: stage.c,
    stride: i === 0 ? stage.s : 1,
    projectKey: `block${first}_project`,
    residual: i > 0,
  }));
});

/** Keras's _make_divisible(v, 8). */
function divisible(v: number): number {
  const rounded = Math.max(8, Math.floor((v + 4) / 8) * 8);
  return rounded < 0.9 * v ? rounded + 8 : rounded;
}

function resolved(o: MobileNetV2Options) {
  return { size: o.inputSize ?? 32, alpha: o.widthMultiplier ?? 0.35, classes: o.classes ?? 10 };
}

function defaultWidths(o: MobileNetV2Options): Widths {
  const { alpha } = resolved(o);
  const widths: Record<string, number> = { stem_conv: divisible(32 * alpha) };
  let channels = widths['stem_conv']!;
  for (const b of BLOCKS) {
    if (b.t !== 1) widths[`block${b.id}_expand`] = b.t * channels; // Keras: expansion × the block's input channels
    channels = divisible(Math.floor(b.c * alpha));
    widths[b.projectKey] = channels;
  }
  widths['head_conv'] = alpha > 1 ? divisible(1280 * alpha) : 1280;
  return widths;
}

const widthGroups: Record<string, string[]> = { stem_conv: ['stem_conv'] };
for (const block of BLOCKS) {
  if (block.t !== 1) widthGroups[`block${block.id}_expand`] = [`block${block.id}_expand`];
  (widthGroups[block.projectKey] ??= []).push(`block${block.id}_project`);
}
widthGroups['head_conv'] = ['head_conv'];

/**
 * MobileNetV2 (Keras's layout): stem conv3×3 stride 2-BN-ReLU6, 17 inverted residual blocks (1×1 expand conv-BN-ReLU6
 * except block 0, DepthwiseConv2D 3×3-BN-ReLU6, 1×1 project conv-BN, Add when stride 1 and same width), 1×1 conv
 * 'head_conv' to 1280-BN-ReLU6, GAP, dense softmax. Convs have no bias. Default: 32×32×3, α 0.35, 10 classes;
 * {@link MOBILENET_V2_FULL} is the real network. The project convs of a stage share one width (their Adds couple
 * them), keyed by the stage's first block. Unlike Keras, a stage's first block never adds its input even when the
 * widths happen to match (only at α below 0.35), so the coupling does not depend on α.
 */
export const mobilenetV2 = defineZooEntry<MobileNetV2Options>({
  name: 'mobilenetV2',
  loss: 'categorical',
  widthGroups,
  defaultWidths,
  inputShapes: (o) => [[resolved(o).size, resolved(o).size, 3]],
  outputUnits: (o) => resolved(o).classes,
  assemble(w, layers, o) {
    const { size, classes } = resolved(o);
    const bn = (name: string) => tfl.layers.batchNormalization({ name });
    const relu6 = (name: string) => tfl.layers.reLU({ name, maxValue: 6 });
    const image = tfl.input({ shape: [size, size, 3], name: 'image' });
    let x = on(layers.conv2d({ name: 'stem_conv', filters: w['stem_conv']!, kernelSize: 3, strides: 2, useBias: false }), image);
    x = on(relu6('stem_relu'), on(bn('stem_bn'), x));
    for (const b of BLOCKS) {
      const p = `block${b.id}`;
      let y = x;
      if (b.t !== 1) {
        y = on(layers.conv2d({ name: `${p}_expand`, filters: w[`${p}_expand`]!, kernelSize: 1, useBias: false }), y);
        y = on(relu6(`${p}_expand_relu`), on(bn(`${p}_expand_bn`), y));
      }
      y = on(layers.depthwiseConv2d({ name: `${p}_depthwise`, kernelSize: 3, strides: b.stride, useBias: false }), y);
      y = on(relu6(`${p}_depthwise_relu`), on(bn(`${p}_depthwise_bn`), y));
      y = on(layers.conv2d({ name: `${p}_project`, filters: w[b.projectKey]!, kernelSize: 1, useBias: false }), y);
      y = on(bn(`${p}_project_bn`), y);
      x = b.residual ? on(tfl.layers.add({ name: `${p}_add` }), [x, y]) : y;
    }
    x = on(layers.conv2d({ name: 'head_conv', filters: w['head_conv']!, kernelSize: 1, useBias: false }), x);
    x = on(relu6('head_relu'), on(bn('head_bn'), x));
    x = on(tfl.layers.globalAveragePooling2d({ name: 'gap' }), x);
    const y = on(layers.dense({ name: 'predictions', units: classes, activation: 'softmax' }), x);
    return tfl.model({ inputs: image, outputs: y, name: 'mobilenet_v2' });
  },
  cost(w, o) {
    const { classes } = resolved(o);
    let size = sameSize(resolved(o).size, 2);
    let channels = w['stem_conv']!;
    const costs: Cost[] = [convCost(9, 3, channels, size * size, false), batchNormCost(channels, size * size)];
    for (const b of BLOCKS) {
      const inPositions = size * size;
      let expanded = channels;
      if (b.t !== 1) {
        expanded = w[`block${b.id}_expand`]!;
        costs.push(convCost(1, channels, expanded, inPositions, false), batchNormCost(expanded, inPositions));
      }
      size = sameSize(size, b.stride);
      const positions = size * size;
      const out = w[b.projectKey]!;
      costs.push(depthwiseCost(9, expanded, 1, positions, false), batchNormCost(expanded, positions));
      costs.push(convCost(1, expanded, out, positions, false), batchNormCost(out, positions));
      channels = out;
    }
    const head = w['head_conv']!;
    costs.push(convCost(1, channels, head, size * size, false), batchNormCost(head, size * size));
    costs.push(denseCost(classes, head));
    return sumCosts(costs);
  },
});
