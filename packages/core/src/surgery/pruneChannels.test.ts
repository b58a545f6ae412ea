import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  initializers,
  input,
  layers,
  loadLayersModel,
  model,
  sequential,
  type LayersModel,
  type SymbolicTensor,
} from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePairs, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import {
  createSiameseModel,
  predictPairs,
  registerSiameseFusion,
  loadSiameseFrom,
} from '@prune/siamese';
import { fileSystem } from '../node/fileSystem';
import { applyChannelMask } from '../masks/applyChannelMask';
import { maskChannels } from '../masks/channelMask';
import { countParams } from '../costs/countParams';
import { releaseSharedLayers } from '../graph/modelTree';
import { pruneChannels } from './pruneChannels';
import { planSurgery } from './planSurgery';

type Applicable = { apply: (x: SymbolicTensor | SymbolicTensor[]) => unknown };
const apply = (layer: Applicable, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;

/** Saves to memory and loads back, as a user would round-trip the model through files. */
async function roundTrip(m: LayersModel): Promise<LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await loadLayersModel(tf.io.fromMemory(artifacts!));
  releaseSharedLayers(loaded);
  return loaded;
}

/**
 * The masked model, computed independently of the surgery code: a copy whose listed weights have the given indices
 * zeroed along the given axis (plain typed-array loops).
 */
async function maskedCopy(m: LayersModel, zero: { layer: string; weight: string; axis: number; indices: number[] }[]): Promise<LayersModel> {
  const copy = await roundTrip(m);
  for (const z of zero) {
    const layer = findLayer(copy, z.layer);
    const values = layer.getWeights();
    const index = layer.weights.findIndex((w) => w.originalName.endsWith(`/${z.weight}`));
    expect(index, `${z.layer}/${z.weight}`).toBeGreaterThanOrEqual(0);
    const replaced = values.map((value, i) => {
      if (i !== index) return value;
      const data = value.dataSync().slice();
      const shape = value.shape;
      const inner = shape.slice(z.axis + 1).reduce((a, b) => a * b, 1);
      const axisSize = shape[z.axis]!;
      for (let flat = 0; flat < data.length; flat += 1) {
        const along = Math.floor(flat / inner) % axisSize;
        if (z.indices.includes(along)) data[flat] = 0;
      }
      return tf.tensor(data, shape);
    });
    layer.setWeights(replaced);
    replaced.forEach((t, i) => i === index && t.dispose());
  }
  return copy;
}

function findLayer(m: LayersModel, path: string) {
  const [first, ...rest] = path.split('/');
  let layer = m.getLayer(first!);
  for (const name of rest) layer = (layer as unknown as LayersModel).getLayer(name);
  return layer;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Seeded inputs for a model. */
function inputsFor(m: LayersModel, batch: number, seed: number): tf.Tensor[] {
  return m.inputs.map((x, i) => tf.randomNormal([batch, ...(x.shape.slice(1) as number[])], 0, 1, 'float32', seed + i));
}

async function expectSameAsMasked(
  m: LayersModel,
  layerPath: string,
  channels: number[],
  zero: { layer: string; weight: string; axis: number; indices: number[] }[],
): Promise<LayersModel> {
  const pruned = await pruneChannels(m, { layer: layerPath, pruned: channels });
  const masked = await maskedCopy(m, zero);
  const xs = inputsFor(m, 5, 7);
  const a = pruned.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
  const b = masked.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
  const full = m.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
  expect(a.shape).toEqual(b.shape);
  expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5);
  // The pruning did change something: the masked model differs from the original.
  expect(maxAbsDiff(full, b)).toBeGreaterThan(1e-4);

  // The pruned model saves and loads as a plain tfjs model and predicts the same.
  const loaded = await roundTrip(pruned);
  const c = loaded.predict(xs.length === 1 ? xs[0]! : xs) as tf.Tensor;
  expect(maxAbsDiff(a, c)).toBe(0);
  tf.dispose([...xs, a, b, c, full]);
  loaded.dispose();
  masked.dispose();
  return pruned;
}

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('pruneChannels on the Siamese model', () => {
  it('removes conv2 channels in the shared encoder: kernel columns, bias, dense1 rows in NHWC order', async () => {
    registerSiameseFusion();
    const siamese = createSiameseModel({ seed: 3 });
    const channels = [0, 5, 6, 17, 31];
    const rows: number[] = [];
    for (let s = 0; s < 49; s += 1) for (const c of channels) rows.push(s * 32 + c);
    const pruned = await expectSameAsMasked(siamese, 'encoder/conv2', channels, [
      { layer: 'encoder/conv2', weight: 'kernel', axis: 3, indices: channels },
      { layer: 'encoder/conv2', weight: 'bias', axis: 0, indices: channels },
    ]);
    const conv2 = findLayer(pruned, 'encoder/conv2');
    const dense1 = findLayer(pruned, 'encoder/dense1');
    expect(conv2.getWeights()[0]!.shape).toEqual([3, 3, 16, 27]);
    expect(conv2.getWeights()[1]!.shape).toEqual([27]);
    expect(dense1.getWeights()[0]!.shape).toEqual([7 * 7 * 27, 128]);
    // The kept rows of dense1 are exactly the original rows minus the removed ones, in order.
    const original = findLayer(siamese, 'encoder/dense1').getWeights()[0]!.arraySync() as number[][];
    const kept = original.filter((_row, i) => !rows.includes(i));
    expect(dense1.getWeights()[0]!.arraySync()).toEqual(kept);
    // Both branches share the one pruned encoder.
    expect(pruned.getLayer('encoder').inboundNodes.length).toBe(3);
    // The original is untouched.
    expect(findLayer(siamese, 'encoder/conv2').getWeights()[0]!.shape).toEqual([3, 3, 16, 32]);
    pruned.dispose();
    siamese.dispose();
  });

  it('removes conv1 channels and the matching conv2 kernel input slices', async () => {
    const siamese = createSiameseModel({ seed: 4 });
    const pruned = await expectSameAsMasked(siamese, 'conv1', [1, 2, 15], [
      { layer: 'encoder/conv1', weight: 'kernel', axis: 3, indices: [1, 2, 15] },
      { layer: 'encoder/conv1', weight: 'bias', axis: 0, indices: [1, 2, 15] },
    ]);
    expect(findLayer(pruned, 'encoder/conv2').getWeights()[0]!.shape).toEqual([3, 3, 13, 32]);
    pruned.dispose();
    siamese.dispose();
  });

  it('removes dense1 units through the dropout into the embedding rows', async () => {
    const siamese = createSiameseModel({ seed: 5 });
    const pruned = await expectSameAsMasked(siamese, 'encoder/dense1', [3, 64, 100], [
      { layer: 'encoder/dense1', weight: 'kernel', axis: 1, indices: [3, 64, 100] },
      { layer: 'encoder/dense1', weight: 'bias', axis: 0, indices: [3, 64, 100] },
    ]);
    expect(findLayer(pruned, 'encoder/embedding').getWeights()[0]!.shape).toEqual([125, 64]);
    pruned.dispose();
    siamese.dispose();
  });

  it('gives clear errors for bad channel lists and unprunable layers', async () => {
    const siamese = createSiameseModel({ seed: 6 });
    await expect(pruneChannels(siamese, { layer: 'conv2', pruned: [] })).rejects.toThrow(/no channels to remove from layer 'conv2'/);
    await expect(pruneChannels(siamese, { layer: 'conv2', pruned: [...Array(32).keys()] })).rejects.toThrow(/pruning all 32 channels of layer 'conv2' would cut the network/);
    await expect(pruneChannels(siamese, { layer: 'conv2', pruned: [32] })).rejects.toThrow(/channel 32 of layer 'conv2' is outside 0 … 31/);
    await expect(pruneChannels(siamese, { layer: 'conv2', pruned: [1.5, -1] })).rejects.toThrow(/channel 1.5 of layer 'conv2' is outside 0 … 31/);
    await expect(pruneChannels(siamese, { layer: 'conv2', pruned: [3, 3] })).rejects.toThrow(/channel 3 of layer 'conv2' is listed twice/);
    await expect(pruneChannels(siamese, { layer: 'embedding', pruned: [0] })).rejects.toThrow(/'fusion' \(SiameseFusion\)/);
    await expect(pruneChannels(siamese, { layer: 'pool2', pruned: [0] })).rejects.toThrow(/'encoder\/pool2' \(MaxPooling2D\) has no prunable output channels/);
    await expect(pruneChannels(siamese, { layer: 'conv9', pruned: [0] })).rejects.toThrow(/no layer 'conv9'/);
    siamese.dispose();
  });
});

describe('pruneChannels on a plain Sequential CNN', () => {
  function plainCnn(): LayersModel {
    const m = sequential({
      layers: [
        layers.conv2d({ name: 'c1', inputShape: [10, 10, 2], filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: initializers.glorotUniform({ seed: 1 }), biasInitializer: initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 2 }) } as never),
        layers.batchNormalization({ name: 'bn' }),
        layers.reLU({ name: 'r1' }),
        layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
        layers.conv2d({ name: 'c2', filters: 5, kernelSize: 3, kernelInitializer: initializers.glorotUniform({ seed: 3 }) } as never),
        layers.flatten({ name: 'f' }),
        layers.dense({ name: 'd', units: 4, kernelInitializer: initializers.glorotUniform({ seed: 4 }) } as never),
      ],
    });
    // Non-trivial batch-norm statistics and affine parameters.
    const bn = m.getLayer('bn');
    const [gamma, beta, mean, variance] = [
      tf.tensor1d([1.5, 0.5, 2, 1, 0.8, 1.2]),
      tf.tensor1d([0.1, -0.2, 0.3, 0, 0.5, -0.4]),
      tf.tensor1d([0.2, -0.1, 0.05, 0.3, -0.3, 0]),
      tf.tensor1d([1.2, 0.7, 2, 0.9, 1.1, 0.5]),
    ];
    bn.setWeights([gamma!, beta!, mean!, variance!]);
    tf.dispose([gamma!, beta!, mean!, variance!]);
    return m;
  }

  it('removes c1 channels through BatchNormalization (all four vectors), ReLU and pooling into c2', async () => {
    const m = plainCnn();
    const channels = [1, 4];
    // Masking a channel before a BatchNormalization leaves beta − gamma·mean/√var; the masked twin zeroes gamma and beta too.
    const pruned = await expectSameAsMasked(m, 'c1', channels, [
      { layer: 'c1', weight: 'kernel', axis: 3, indices: channels },
      { layer: 'c1', weight: 'bias', axis: 0, indices: channels },
      { layer: 'bn', weight: 'gamma', axis: 0, indices: channels },
      { layer: 'bn', weight: 'beta', axis: 0, indices: channels },
    ]);
    expect(pruned.getLayer('bn').getWeights().map((w) => w.shape)).toEqual([[4], [4], [4], [4]]);
    expect(pruned.getLayer('bn').getWeights()[2]!.arraySync()).toEqual(
      (m.getLayer('bn').getWeights()[2]!.arraySync() as number[]).filter((_v, i) => !channels.includes(i)),
    );
    expect(pruned.getLayer('c2').getWeights()[0]!.shape).toEqual([3, 3, 4, 5]);
    pruned.dispose();
    m.dispose();
  });

  it('removes c2 channels through Flatten into Dense rows (row = (h·W + w)·C + c)', async () => {
    const m = plainCnn();
    const pruned = await expectSameAsMasked(m, 'c2', [0, 3], [
      { layer: 'c2', weight: 'kernel', axis: 3, indices: [0, 3] },
      { layer: 'c2', weight: 'bias', axis: 0, indices: [0, 3] },
    ]);
    // c2 output is 3×3×5 → 3×3×3.
    expect(pruned.getLayer('d').getWeights()[0]!.shape).toEqual([27, 4]);
    expect(pruned.getLayer('c2').getConfig()['filters']).toBe(3);
    pruned.dispose();
    m.dispose();
  });
});

describe('pruneChannels with coupled channels', () => {
  const init = (seed: number) => ({
    kernelInitializer: initializers.glorotUniform({ seed }),
    biasInitializer: initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + 100 }),
  });

  function residual(): LayersModel {
    const x0 = input({ shape: [8, 8, 3], name: 'x' });
    const stem = apply(layers.conv2d({ name: 'stem', filters: 6, kernelSize: 3, padding: 'same', ...init(1) } as never), x0);
    const a = apply(layers.reLU({ name: 'a' }), stem);
    const b = apply(layers.conv2d({ name: 'b', filters: 6, kernelSize: 3, padding: 'same', ...init(2) } as never), a);
    const sum = apply(layers.add({ name: 'sum' }), [a, b]);
    const r = apply(layers.reLU({ name: 'r' }), sum);
    const c = apply(layers.conv2d({ name: 'c', filters: 4, kernelSize: 3, ...init(3) } as never), r);
    const gap = apply(layers.globalAveragePooling2d({ name: 'gap' }), c);
    const out = apply(layers.dense({ name: 'out', units: 2, ...init(4) } as never), gap);
    return model({ inputs: x0, outputs: out, name: 'residual' });
  }

  it('prunes the two sources of a residual Add as one group', async () => {
    const m = residual();
    const plan = planSurgery(m, { layer: 'b', pruned: [2, 5] });
    expect(plan.groups[0]!.group.couplings).toEqual(['sum']);
    expect(plan.layers.map((l) => [l.path, l.resize?.to]).sort()).toEqual([
      ['b', 4],
      ['c', undefined],
      ['stem', 4],
    ]);
    const pruned = await expectSameAsMasked(m, 'b', [2, 5], [
      { layer: 'stem', weight: 'kernel', axis: 3, indices: [2, 5] },
      { layer: 'stem', weight: 'bias', axis: 0, indices: [2, 5] },
      { layer: 'b', weight: 'kernel', axis: 3, indices: [2, 5] },
      { layer: 'b', weight: 'bias', axis: 0, indices: [2, 5] },
    ]);
    await expect(pruneChannels(m, { layer: 'b', pruned: [2] }, { coupled: 'refuse' })).rejects.toThrow(
      /channels of 'b' are coupled with 'stem' through 'sum'; they can only be removed together/,
    );
    // b both reads and produces the group's channels.
    expect(pruned.getLayer('b').getWeights()[0]!.shape).toEqual([3, 3, 4, 4]);
    expect(pruned.getLayer('c').getWeights()[0]!.shape).toEqual([3, 3, 4, 4]);
    pruned.dispose();
    m.dispose();
  });

  it('refuses a residual Add whose other branch is the model input', async () => {
    const x0 = input({ shape: [6, 6, 4], name: 'pixels' });
    const conv = apply(layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, padding: 'same' }), x0);
    const skip = apply(layers.add({ name: 'skip' }), [x0, conv]);
    const out = apply(layers.dense({ name: 'head', units: 1 }), apply(layers.flatten({ name: 'f' }), skip));
    const m = model({ inputs: x0, outputs: out, name: 'identity_skip' });
    await expect(pruneChannels(m, { layer: 'conv', pruned: [0] })).rejects.toThrow(
      /Cannot prune the output channels of 'conv': they reach layer 'pixels' \(InputLayer\), and that is an input of model 'identity_skip'/,
    );
    m.dispose();
  });

  it('refuses an Add whose other branch only shares part of a Concatenate', async () => {
    const x0 = input({ shape: [5, 5, 2], name: 'x' });
    const p = apply(layers.conv2d({ name: 'p', filters: 2, kernelSize: 1 }), x0);
    const q = apply(layers.conv2d({ name: 'q', filters: 2, kernelSize: 1 }), x0);
    const wide = apply(layers.conv2d({ name: 'wide', filters: 4, kernelSize: 1 }), x0);
    const cat = apply(layers.concatenate({ name: 'cat' }), [p, q]);
    const sum = apply(layers.add({ name: 'sum' }), [cat, wide]);
    const m = model({ inputs: x0, outputs: apply(layers.globalAveragePooling2d({ name: 'g' }), sum), name: 'partial' });
    await expect(pruneChannels(m, { layer: 'wide', pruned: [0] })).rejects.toThrow(/'cat' \(Concatenate\).*span several of its inputs/);
    m.dispose();
  });

  it('offsets channels through a Concatenate and prunes a Multiply gate as a group', async () => {
    const x0 = input({ shape: [7, 7, 3], name: 'x' });
    const p = apply(layers.conv2d({ name: 'p', filters: 3, kernelSize: 3, padding: 'same', ...init(5) } as never), x0);
    const q = apply(layers.conv2d({ name: 'q', filters: 5, kernelSize: 3, padding: 'same', ...init(6) } as never), x0);
    const gate = apply(layers.conv2d({ name: 'gate', filters: 5, kernelSize: 1, activation: 'relu', ...init(7) } as never), x0);
    const gated = apply(layers.multiply({ name: 'mul' }), [q, gate]);
    const cat = apply(layers.concatenate({ name: 'cat' }), [p, gated]);
    const r = apply(layers.activation({ name: 'act', activation: 'relu' }), cat);
    const pooled = apply(layers.averagePooling2d({ name: 'avg', poolSize: 2 }), r);
    const after = apply(layers.conv2d({ name: 'after', filters: 3, kernelSize: 2, ...init(8) } as never), pooled);
    const out = apply(layers.dense({ name: 'out', units: 2, ...init(9) } as never), apply(layers.flatten({ name: 'f' }), after));
    const m = model({ inputs: x0, outputs: out, name: 'concat_gate' });

    const plan = planSurgery(m, { layer: 'q', pruned: [1, 4] });
    expect(plan.groups[0]!.group.sources.map((s) => s.path).sort()).toEqual(['gate', 'q']);
    const cut = plan.layers.find((l) => l.path === 'after')!.cuts[0]!;
    expect(cut).toEqual({ weight: 'kernel', axis: 2, remove: [4, 7] });
    const pruned = await expectSameAsMasked(m, 'q', [1, 4], [
      { layer: 'q', weight: 'kernel', axis: 3, indices: [1, 4] },
      { layer: 'q', weight: 'bias', axis: 0, indices: [1, 4] },
      { layer: 'gate', weight: 'kernel', axis: 3, indices: [1, 4] },
      { layer: 'gate', weight: 'bias', axis: 0, indices: [1, 4] },
    ]);
    expect(pruned.getLayer('after').getWeights()[0]!.shape).toEqual([2, 2, 6, 3]);
    pruned.dispose();

    // Pruning p alone leaves the gated branch untouched.
    const prunedP = await expectSameAsMasked(m, 'p', [0], [
      { layer: 'p', weight: 'kernel', axis: 3, indices: [0] },
      { layer: 'p', weight: 'bias', axis: 0, indices: [0] },
    ]);
    expect(prunedP.getLayer('gate').getWeights()[0]!.shape).toEqual([1, 1, 3, 5]);
    prunedP.dispose();
    m.dispose();
  });

  it('prunes a conv shared by two inputs once, through a Concatenate of flattened branches', async () => {
    const left = input({ shape: [6, 6, 1], name: 'l' });
    const right = input({ shape: [6, 6, 1], name: 'r' });
    const shared = layers.conv2d({ name: 'shared', filters: 4, kernelSize: 3, ...init(10) } as never);
    const fl = layers.flatten({ name: 'flat' });
    const zl = apply(fl, apply(shared, left));
    const zr = apply(fl, apply(shared, right));
    const cat = apply(layers.concatenate({ name: 'pair' }), [zl, zr]);
    const out = apply(layers.dense({ name: 'head', units: 3, ...init(11) } as never), cat);
    const m = model({ inputs: [left, right], outputs: out, name: 'shared_conv' });
    releaseSharedLayers(m);
    const plan = planSurgery(m, { layer: 'shared', pruned: [3] });
    const rows = plan.layers.find((l) => l.path === 'head')!.cuts[0]!.remove;
    // 16 positions × 4 channels per branch; channel 3 of each branch.
    expect(rows).toEqual([...Array(16).keys()].map((s) => s * 4 + 3).concat([...Array(16).keys()].map((s) => 64 + s * 4 + 3)));
    const pruned = await expectSameAsMasked(m, 'shared', [3], [
      { layer: 'shared', weight: 'kernel', axis: 3, indices: [3] },
      { layer: 'shared', weight: 'bias', axis: 0, indices: [3] },
    ]);
    expect(pruned.getLayer('head').getWeights()[0]!.shape).toEqual([96, 3]);
    pruned.dispose();
    m.dispose();
  });
});

describe('pruneChannels through depthwise, separable, transposed and nested layers', () => {
  const init = (seed: number) => ({
    kernelInitializer: initializers.glorotUniform({ seed }),
    biasInitializer: initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + 100 }),
  });

  it('follows a DepthwiseConv2D (multiplier 2) into a SeparableConv2D and prunes a SeparableConv2D source', async () => {
    const x0 = input({ shape: [9, 9, 2], name: 'x' });
    const a = apply(layers.conv2d({ name: 'a', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', ...init(20) } as never), x0);
    const dw = apply(
      layers.depthwiseConv2d({
        name: 'dw',
        kernelSize: 3,
        depthMultiplier: 2,
        padding: 'same',
        depthwiseInitializer: initializers.glorotUniform({ seed: 21 }),
        biasInitializer: initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 22 }),
      } as never),
      a,
    ); // [B, 9, 9, 8]: channel c of `a` feeds 2c and 2c+1
    const r = apply(layers.reLU({ name: 'r' }), dw);
    const sep = apply(
      layers.separableConv2d({
        name: 'sep',
        filters: 6,
        kernelSize: 3,
        depthwiseInitializer: initializers.glorotUniform({ seed: 23 }),
        pointwiseInitializer: initializers.glorotUniform({ seed: 24 }),
        biasInitializer: initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 25 }),
      } as never),
      r,
    ); // [B, 7, 7, 6]
    const up = apply(layers.conv2dTranspose({ name: 'up', filters: 3, kernelSize: 2, strides: 2, ...init(26) } as never), apply(layers.reLU({ name: 'r2' }), sep));
    const out = apply(layers.dense({ name: 'out', units: 2, ...init(27) } as never), apply(layers.flatten({ name: 'g' }), up));
    const m = model({ inputs: x0, outputs: out, name: 'mobile' });

    const plan = planSurgery(m, { layer: 'a', pruned: [1, 3] });
    expect(plan.layers.find((l) => l.path === 'dw')!.cuts).toEqual([
      { weight: 'depthwise_kernel', axis: 2, remove: [1, 3] },
      { weight: 'bias', axis: 0, remove: [2, 3, 6, 7] },
    ]);
    expect(plan.layers.find((l) => l.path === 'sep')!.cuts).toEqual([
      { weight: 'depthwise_kernel', axis: 2, remove: [2, 3, 6, 7] },
      { weight: 'pointwise_kernel', axis: 2, remove: [2, 3, 6, 7] },
    ]);
    // Masked twin: `a`'s channels are 0 after its ReLU, but the depthwise bias keeps them alive; zero it too.
    const prunedA = await expectSameAsMasked(m, 'a', [1, 3], [
      { layer: 'a', weight: 'kernel', axis: 3, indices: [1, 3] },
      { layer: 'a', weight: 'bias', axis: 0, indices: [1, 3] },
      { layer: 'dw', weight: 'bias', axis: 0, indices: [2, 3, 6, 7] },
    ]);
    expect(prunedA.getLayer('dw').getWeights().map((w) => w.shape)).toEqual([[3, 3, 2, 2], [4]]);
    expect(prunedA.getLayer('sep').getWeights().map((w) => w.shape)).toEqual([[3, 3, 4, 1], [1, 1, 4, 6], [6]]);
    prunedA.dispose();

    // A SeparableConv2D source feeding a Conv2DTranspose consumer (kernel [kh, kw, out, in]).
    const prunedSep = await expectSameAsMasked(m, 'sep', [0, 5], [
      { layer: 'sep', weight: 'pointwise_kernel', axis: 3, indices: [0, 5] },
      { layer: 'sep', weight: 'bias', axis: 0, indices: [0, 5] },
    ]);
    expect(prunedSep.getLayer('up').getWeights()[0]!.shape).toEqual([2, 2, 3, 4]);
    expect(prunedSep.getLayer('sep').getWeights().map((w) => w.shape)).toEqual([[3, 3, 8, 1], [1, 1, 8, 4], [4]]);
    prunedSep.dispose();
    await expect(pruneChannels(m, { layer: 'dw', pruned: [0] })).rejects.toThrow(/'dw' \(DepthwiseConv2D\) has no prunable output channels.*prune the layer that produces its input/);
    m.dispose();
  });

  it('expands input slices by the depth multiplier of a SeparableConv2D consumer', async () => {
    // tfjs-layers 4.22 cannot save a SeparableConv2D with depthMultiplier > 1 (its config omits it), so the masked
    // twin here is the original zeroed in place instead of a saved-and-loaded copy.
    const x0 = input({ shape: [6, 6, 2], name: 'x' });
    const a2 = apply(layers.conv2d({ name: 'a2', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', ...init(40) } as never), x0);
    const sep = apply(
      layers.separableConv2d({
        name: 'sep2',
        filters: 4,
        kernelSize: 3,
        depthMultiplier: 2,
        depthwiseInitializer: initializers.glorotUniform({ seed: 41 }),
        pointwiseInitializer: initializers.glorotUniform({ seed: 42 }),
      } as never),
      a2,
    );
    const out = apply(layers.dense({ name: 'out', units: 2, ...init(43) } as never), apply(layers.flatten({ name: 'f' }), sep));
    const m = model({ inputs: x0, outputs: out, name: 'sep_mult' });
    expect(planSurgery(m, { layer: 'a2', pruned: [1] }).layers.find((l) => l.path === 'sep2')!.cuts).toEqual([
      { weight: 'depthwise_kernel', axis: 2, remove: [1] },
      { weight: 'pointwise_kernel', axis: 2, remove: [2, 3] },
    ]);
    const pruned = await pruneChannels(m, { layer: 'a2', pruned: [1] });
    expect(pruned.getLayer('sep2').getWeights().map((w) => w.shape)).toEqual([[3, 3, 2, 2], [1, 1, 4, 4], [4]]);
    const [kernel, bias] = m.getLayer('a2').getWeights();
    const zeroed = tf.tidy(() => {
      const keep = tf.tensor1d([1, 0, 1]);
      return [tf.mul(kernel!, keep), tf.mul(bias!, keep)];
    });
    m.getLayer('a2').setWeights(zeroed);
    tf.dispose(zeroed);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 44);
    const diff = tf.tidy(() => maxAbsDiff(pruned.predict(x) as tf.Tensor, m.predict(x) as tf.Tensor));
    expect(diff).toBeLessThanOrEqual(1e-5);
    x.dispose();
    pruned.dispose();
    m.dispose();
  });

  it('prunes inside a nested Sequential model and couples two sources through a shared BatchNormalization', async () => {
    const block = sequential({
      name: 'block',
      layers: [
        layers.conv2d({ name: 'inner', inputShape: [6, 6, 3], filters: 5, kernelSize: 3, padding: 'same', ...init(30) } as never),
        layers.reLU({ name: 'inner_relu' }),
        layers.conv2d({ name: 'inner2', filters: 4, kernelSize: 3, ...init(31) } as never),
      ],
    });
    const x0 = input({ shape: [6, 6, 3], name: 'x' });
    const y = apply(block as unknown as Applicable, x0);
    const out = apply(layers.dense({ name: 'out', units: 2, ...init(32) } as never), apply(layers.flatten({ name: 'f' }), y));
    const m = model({ inputs: x0, outputs: out, name: 'outer' });
    const pruned = await expectSameAsMasked(m, 'block/inner', [0, 2], [
      { layer: 'block/inner', weight: 'kernel', axis: 3, indices: [0, 2] },
      { layer: 'block/inner', weight: 'bias', axis: 0, indices: [0, 2] },
    ]);
    expect(findLayer(pruned, 'block/inner2').getWeights()[0]!.shape).toEqual([3, 3, 3, 4]);
    pruned.dispose();
    // inner2's channels leave the nested model and reach the outer Flatten → Dense rows.
    const plan = planSurgery(m, { layer: 'inner2', pruned: [1] });
    expect(plan.layers.find((l) => l.path === 'out')!.cuts[0]!.remove).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61]);
    m.dispose();

    // One BatchNormalization shared by two branches: its weights tie the branches' channels together.
    const x1 = input({ shape: [5, 5, 2], name: 'x1' });
    const bn = layers.batchNormalization({ name: 'shared_bn' });
    const left = apply(bn, apply(layers.conv2d({ name: 'left', filters: 3, kernelSize: 1, ...init(33) } as never), x1));
    const right = apply(bn, apply(layers.conv2d({ name: 'right', filters: 3, kernelSize: 1, ...init(34) } as never), x1));
    const cat = apply(layers.concatenate({ name: 'cat' }), [left, right]);
    const head = apply(layers.dense({ name: 'head', units: 2, ...init(35) } as never), apply(layers.globalMaxPooling2d({ name: 'gm' }), cat));
    const m2 = model({ inputs: x1, outputs: head, name: 'shared_bn_model' });
    releaseSharedLayers(m2);
    const plan2 = planSurgery(m2, { layer: 'left', pruned: [2] });
    expect(plan2.groups[0]!.group.sources.map((s) => s.path).sort()).toEqual(['left', 'right']);
    expect(plan2.layers.find((l) => l.path === 'head')!.cuts[0]!.remove).toEqual([2, 5]);
    const pruned2 = await expectSameAsMasked(m2, 'left', [2], [
      { layer: 'left', weight: 'kernel', axis: 3, indices: [2] },
      { layer: 'left', weight: 'bias', axis: 0, indices: [2] },
      { layer: 'right', weight: 'kernel', axis: 3, indices: [2] },
      { layer: 'right', weight: 'bias', axis: 0, indices: [2] },
      { layer: 'shared_bn', weight: 'gamma', axis: 0, indices: [2] },
      { layer: 'shared_bn', weight: 'beta', axis: 0, indices: [2] },
    ]);
    expect(pruned2.getLayer('shared_bn').getWeights()[0]!.shape).toEqual([2]);
    pruned2.dispose();
    m2.dispose();
  });
});

describe('pruneChannels on the Siamese model and real MNIST pairs', () => {
  it('matches the lab-style masked model on every test pair and survives a save/load through files', async () => {
    // Equality of pruned and masked models does not depend on training; real digits exercise real activations.
    const mnist = await loadMnist();
    const testPairs = makePairs(subsetSplit(mnist.test, 0.1, 13), 500, 14);
    const siamese = createSiameseModel({ seed: 15 });

    // The 12 weakest conv2 filters by L1 norm.
    const conv2 = (siamese.getLayer('encoder') as unknown as LayersModel).getLayer('conv2');
    const l1 = tf.tidy(() => tf.sum(tf.abs(conv2.getWeights()[0]!), [0, 1, 2]).dataSync() as Float32Array);
    const removed = [...l1.keys()].sort((a, b) => l1[a]! - l1[b]!).slice(0, 12).sort((a, b) => a - b);

    const pruned = await pruneChannels(siamese, { layer: 'conv2', pruned: removed });
    const masked = await applyChannelMask(siamese, maskChannels('encoder/conv2', 32, removed));
    const p = await predictPairs(pruned, testPairs);
    const q = await predictPairs(masked, testPairs);
    let maxDiff = 0;
    for (let i = 0; i < p.length; i += 1) {
      maxDiff = Math.max(maxDiff, Math.abs(p[i]! - q[i]!));
      if (Math.abs(q[i]! - 0.5) > 1e-5) expect(p[i]! >= 0.5, `pair ${i}`).toBe(q[i]! >= 0.5);
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-5);
    const full = await predictPairs(siamese, testPairs);
    expect(Math.max(...full.map((v, i) => Math.abs(v - q[i]!)))).toBeGreaterThan(1e-3); // the mask matters
    expect(countParams(pruned).total).toBeLessThan(countParams(siamese).total);

    const dir = await mkdtemp(join(tmpdir(), 'prune-surgery-'));
    try {
      await pruned.save(fileSystem(dir));
      const loaded = await loadSiameseFrom(fileSystem(dir));
      const r = await predictPairs(loaded, testPairs);
      expect(Array.from(r)).toEqual(Array.from(p));
      expect(loaded.getLayer('encoder').countParams()).toBe(pruned.getLayer('encoder').countParams());
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    masked.dispose();
    pruned.dispose();
    siamese.dispose();
  });
});
