import { describe, expect, it } from 'vitest';
import { input, layers, model, sequential, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createSiameseModel } from '@prune/siamese';
import { channelGroup, channelGroups } from './channelGroups';
import { mapChannelIndices } from './channelIndexMap';

const apply = (layer: { apply: (x: SymbolicTensor | SymbolicTensor[]) => unknown }, x: SymbolicTensor | SymbolicTensor[]) =>
  layer.apply(x) as SymbolicTensor;

describe('channelGroup', () => {
  it('follows conv2 of the Siamese encoder through relu, pool and flatten into dense1 rows', () => {
    const siamese = createSiameseModel({ seed: 1 });
    const deps = channelGroup(siamese, 'encoder/conv2');
    expect(deps.id).toBe('encoder/conv2');
    expect(deps.channels).toBe(32);
    expect(deps.sources.map((s) => s.path)).toEqual(['encoder/conv2']);
    expect(deps.path.map((p) => p.path)).toEqual(['encoder/relu2', 'encoder/pool2', 'encoder/flatten']);
    expect(deps.consumers.map((c) => c.path)).toEqual(['encoder/dense1']);
    const map = deps.consumers[0]!.applications[0]!.map!;
    expect(map).toEqual({ size: 1568, start: 0, multiplier: 1, positions: 49, positionStride: 32 });
    // NHWC rows of channel 3: (h·7 + w)·32 + 3.
    const rows = mapChannelIndices(map, [3]);
    expect(rows).toHaveLength(49);
    expect(rows.slice(0, 3)).toEqual([3, 35, 67]);
    expect(rows[48]).toBe(48 * 32 + 3);
    expect(deps.couplings).toEqual([]);
    // A bare name resolves through the nested model too.
    expect(channelGroup(siamese, 'conv1').consumers.map((c) => c.path)).toEqual(['encoder/conv2']);
    siamese.dispose();
  });

  it('refuses channels that reach a custom layer or a model output, naming them', () => {
    const siamese = createSiameseModel({ seed: 1 });
    expect(() => channelGroup(siamese, 'embedding')).toThrow(/'fusion' \(SiameseFusion\)/);
    expect(() => channelGroup(siamese, 'head_out')).toThrow(/output 0 of model 'siamese'/);
    expect(() => channelGroup(siamese, 'relu2')).toThrow(/'encoder\/relu2' \(Activation\) has no prunable output channels/);
    expect(() => channelGroup(siamese, 'nope')).toThrow(/no layer 'nope'/);
    siamese.dispose();
  });

  it('groups the two convs of a residual Add and refuses a group that reaches the input', () => {
    const x0 = input({ shape: [8, 8, 3], name: 'x' });
    const stem = apply(layers.conv2d({ name: 'stem', filters: 4, kernelSize: 3, padding: 'same' }), x0);
    const a = apply(layers.reLU({ name: 'a' }), stem);
    const b = apply(layers.conv2d({ name: 'b', filters: 4, kernelSize: 3, padding: 'same' }), a);
    const sum = apply(layers.add({ name: 'sum' }), [a, b]);
    const c = apply(layers.conv2d({ name: 'c', filters: 2, kernelSize: 1 }), sum);
    const gap = apply(layers.globalAveragePooling2d({ name: 'gap' }), c);
    const m = model({ inputs: x0, outputs: gap, name: 'res' });
    const deps = channelGroup(m, 'b');
    expect(deps.sources.map((s) => s.path).sort()).toEqual(['b', 'stem']);
    expect(deps.consumers.map((s) => s.path).sort()).toEqual(['b', 'c']);
    expect(deps.couplings).toEqual(['sum']);

    const y0 = input({ shape: [8, 8, 4], name: 'y' });
    const conv = apply(layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, padding: 'same' }), y0);
    const skip = apply(layers.add({ name: 'skip' }), [y0, conv]);
    const m2 = model({ inputs: y0, outputs: apply(layers.flatten({ name: 'f' }), skip), name: 'identity_skip' });
    expect(() => channelGroup(m2, 'conv')).toThrow(/'y' \(InputLayer\).*input of model 'identity_skip'/);
    m.dispose();
    m2.dispose();
  });

  it('offsets channels through a channel Concatenate', () => {
    const x0 = input({ shape: [6, 6, 2], name: 'x' });
    const p = apply(layers.conv2d({ name: 'p', filters: 3, kernelSize: 1 }), x0);
    const q = apply(layers.conv2d({ name: 'q', filters: 5, kernelSize: 1 }), x0);
    const cat = apply(layers.concatenate({ name: 'cat' }), [p, q]);
    const out = apply(layers.conv2d({ name: 'out', filters: 2, kernelSize: 1 }), cat);
    const m = model({ inputs: x0, outputs: apply(layers.globalMaxPooling2d({ name: 'g' }), out), name: 'cat_model' });
    const deps = channelGroup(m, 'q');
    expect(deps.sources.map((s) => s.path)).toEqual(['q']);
    expect(deps.consumers[0]!.applications[0]!.map).toEqual({ size: 8, start: 3, multiplier: 1, positions: 1, positionStride: 8 });
    expect(mapChannelIndices(deps.consumers[0]!.applications[0]!.map!, [0, 4])).toEqual([3, 7]);
    m.dispose();
  });

  it('walks a Sequential model', () => {
    const s = sequential({
      layers: [
        layers.conv2d({ name: 'c1', inputShape: [6, 6, 1], filters: 4, kernelSize: 3 }),
        layers.batchNormalization({ name: 'bn' }),
        layers.reLU({ name: 'r' }),
        layers.flatten({ name: 'f' }),
        layers.dense({ name: 'd', units: 3 }),
      ],
    });
    const deps = channelGroup(s, 'c1');
    expect(deps.path.map((p) => [p.path, p.role])).toEqual([
      ['bn', 'channelwise'],
      ['r', 'elementwise'],
      ['f', 'flatten'],
    ]);
    expect(deps.consumers[0]!.applications[0]!.map).toEqual({ size: 64, start: 0, multiplier: 1, positions: 16, positionStride: 4 });
    s.dispose();
  });
});

describe('channelGroups', () => {
  it('lists every group of the Siamese model once, and the sources it cannot prune with the reason', () => {
    const siamese = createSiameseModel({ seed: 1 });
    const { groups, refused } = channelGroups(siamese);
    expect(groups.map((g) => [g.id, g.channels, g.consumers.map((c) => c.path)])).toEqual([
      ['encoder/conv1', 16, ['encoder/conv2']],
      ['encoder/conv2', 32, ['encoder/dense1']],
      ['encoder/dense1', 128, ['encoder/embedding']],
      ['head_dense', 32, ['head_out']],
    ]);
    // Each group's shared-encoder layers are reached through both applications.
    expect(groups[1]!.sources[0]!.applications).toHaveLength(2);
    expect(refused.map((r) => r.layer)).toEqual(['encoder/embedding', 'head_out']);
    expect(refused[0]!.reason).toMatch(/'fusion' \(SiameseFusion\).*not in @prune\/core's layer table/);
    expect(refused[1]!.reason).toMatch(/output 0 of model 'siamese'/);
    siamese.dispose();
  });
});
