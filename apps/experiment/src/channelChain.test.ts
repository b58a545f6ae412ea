import { describe, expect, it } from 'vitest';
import { input, layers, model as functionalModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createSiameseModel } from '@prune/siamese';
import { channelChain } from './channelChain.js';
import { layerStage } from './layerStage.js';

describe('channelChain and layerStage, from @prune/core pruning groups', () => {
  it('follows the Siamese encoder from each prunable layer and names where its output is taken', () => {
    const model = createSiameseModel({ seed: 1 });
    try {
      const conv2 = channelChain(model, 'conv2');
      expect([conv2.group.id, conv2.source.path]).toEqual(['encoder/conv2', 'encoder/conv2']);
      expect(conv2.chain.map((m) => m.path)).toEqual(['encoder/relu2', 'encoder/pool2', 'encoder/flatten']);
      expect(conv2.group.consumers.map((m) => m.path)).toEqual(['encoder/dense1']);
      expect(channelChain(model, 'encoder/dense1').chain.map((m) => m.path)).toEqual(['encoder/dropout']);
      expect(layerStage(model, 'encoder/conv2')).toBe('before ReLU');
      expect(layerStage(model, 'conv1')).toBe('before ReLU');
      expect(layerStage(model, 'encoder/dense1')).toBe('after its relu');
      // The embedding's channels reach the custom fusion layer, which @prune/core's layer table does not know.
      expect(() => channelChain(model, 'encoder/embedding')).toThrow(/'encoder\/embedding'.*'SiameseFusion' is not in @prune\/core's layer table/);
      expect(() => channelChain(model, 'encoder/relu2')).toThrow(/'encoder\/relu2' \(Activation\) has no prunable output channels/);
    } finally {
      model.dispose();
    }
  });

  it('stops at a branch and at a consumer, and says so in the stage', () => {
    const x = input({ shape: [6, 6, 2] });
    const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(x) as SymbolicTensor;
    const pool = layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(conv) as SymbolicTensor;
    const a = layers.conv2d({ filters: 3, kernelSize: 1, name: 'a' }).apply(pool) as SymbolicTensor;
    const b = layers.conv2d({ filters: 3, kernelSize: 1, name: 'b' }).apply(pool) as SymbolicTensor;
    const direct = layers.conv2d({ filters: 3, kernelSize: 1, name: 'direct' }).apply(a) as SymbolicTensor;
    const m = functionalModel({ inputs: x, outputs: [layers.add({ name: 'sum' }).apply([b, direct]) as SymbolicTensor] });
    try {
      expect(channelChain(m, 'conv').chain.map((l) => l.path)).toEqual(['pool']); // pool is read by two convs: the line ends there
      expect(layerStage(m, 'conv')).toBe('before MaxPooling2D');
      expect(channelChain(m, 'a').chain).toEqual([]);
      expect(layerStage(m, 'a')).toBe('linear output');
    } finally {
      m.dispose();
    }
  });
});
