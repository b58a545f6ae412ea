import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { tapLayers } from '@prune/activations';
import { describe, expect, it } from 'vitest';
import { applyChannelMask } from './applyChannelMask';
import { maskChannels } from './channelMask';
import { plainCnn, randomInputs, smallSiamese } from '../test-utils/testModels';

function layerWeights(model: tfl.LayersModel, path: string[]): number[][] {
  let layer: tfl.layers.Layer = model.getLayer(path[0]!);
  for (const name of path.slice(1)) layer = (layer as unknown as tfl.LayersModel).getLayer(name);
  return layer.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('applyChannelMask', () => {
  it('zeroes the kernel slice and bias of each pruned channel on a copy, leaving the original untouched', async () => {
    const model = smallSiamese();
    const before = layerWeights(model, ['encoder', 'conv2']);
    const copy = await applyChannelMask(model, maskChannels('conv2', 6, [1, 4]));
    const [kernel, bias] = layerWeights(copy, ['encoder', 'conv2']) as [number[], number[]];
    // kernel [3,3,4,6]: channel = flat index mod 6.
    kernel.forEach((v, i) => {
      const c = i % 6;
      if (c === 1 || c === 4) expect(v).toBe(0);
      else expect(v).toBe(before[0]![i]);
    });
    expect(bias).toEqual(before[1]!.map((v, c) => (c === 1 || c === 4 ? 0 : v)));
    expect(layerWeights(model, ['encoder', 'conv2'])).toEqual(before);
    // Other layers are copied unchanged.
    expect(layerWeights(copy, ['head_out'])).toEqual(layerWeights(model, ['head_out']));
    copy.dispose();
    model.dispose();
  });

  it('makes the pruned channels output exactly 0 in every application of a shared layer', async () => {
    const model = smallSiamese();
    const copy = await applyChannelMask(model, maskChannels('encoder/conv2', 6, [0, 5]));
    const left = randomInputs(3, [12, 12, 1], 1);
    const right = randomInputs(3, [12, 12, 1], 2);
    const seen: number[][] = [];
    const restore = tapLayers(copy, ['conv2'], (_p, out) => {
      const perChannel = tf.tidy(() => tf.max(tf.abs(tf.reshape(out, [-1, 6])), 0));
      seen.push(Array.from(perChannel.dataSync()));
      perChannel.dispose();
    });
    tf.dispose(copy.predict([left, right]) as tf.Tensor);
    restore();
    expect(seen).toHaveLength(2);
    for (const maxAbs of seen) {
      expect(maxAbs[0]).toBe(0);
      expect(maxAbs[5]).toBe(0);
      expect(maxAbs.slice(1, 5).every((v) => v > 0)).toBe(true);
    }
    tf.dispose([left, right]);
    copy.dispose();
    model.dispose();
  });

  it('works on a Sequential model and leaks no tensor', async () => {
    const model = plainCnn();
    const n = tf.memory().numTensors;
    const copy = await applyChannelMask(model, maskChannels('c1', 5, [2]));
    const [kernel, bias] = layerWeights(copy, ['c1']) as [number[], number[]];
    expect(kernel.filter((_, i) => i % 5 === 2).every((v) => v === 0)).toBe(true);
    expect(bias[2]).toBe(0);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(n);
    model.dispose();
  });

  it('names the problem: unknown layer, layer without channels, channel out of range, wrong channel count', async () => {
    const model = smallSiamese();
    await expect(applyChannelMask(model, { layer: 'conv9', channels: 6, pruned: [0] })).rejects.toThrow(/no layer 'conv9'/);
    await expect(applyChannelMask(model, { layer: 'flatten', channels: 6, pruned: [0] })).rejects.toThrow(
      /'encoder\/flatten' \(Flatten\) has no prunable output channels/,
    );
    await expect(applyChannelMask(model, { layer: 'relu2', channels: 6, pruned: [0] })).rejects.toThrow(/'encoder\/relu2' \(Activation\) has no prunable output channels/);
    await expect(applyChannelMask(model, { layer: 'conv2', channels: 6, pruned: [6] })).rejects.toThrow(/channel 6 of layer 'conv2' is outside 0 … 5/);
    await expect(applyChannelMask(model, { layer: 'conv2', channels: 8, pruned: [0] })).rejects.toThrow(/for 8 channels but the layer has 6/);
    model.dispose();
  });
});
