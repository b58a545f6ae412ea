import { describe, expect, it } from 'vitest';
import { createSiameseModel } from '@prune/siamese';
import { containerOf, isChannelPassThrough, layerStage, soleConsumer } from './layerGraph.js';

describe('layerGraph on the Siamese model', () => {
  it('finds the nested encoder, the consumers and the stage of each layer', () => {
    const model = createSiameseModel({ seed: 1 });
    try {
      const { container, layer, prefix } = containerOf(model, 'encoder/conv2');
      expect([container.name, layer.name, prefix]).toEqual(['encoder', 'conv2', 'encoder']);
      const chain: string[] = [];
      for (let next = soleConsumer(container, layer); next && isChannelPassThrough(next); next = soleConsumer(container, next)) chain.push(next.name);
      expect(chain).toEqual(['relu2', 'pool2']);
      expect(layerStage(model, 'encoder/conv2')).toBe('before ReLU');
      expect(layerStage(model, 'encoder/conv1')).toBe('before ReLU');
      expect(layerStage(model, 'encoder/dense1')).toBe('after its relu');
      expect(layerStage(model, 'encoder/embedding')).toBe('linear output');
    } finally {
      model.dispose();
    }
  });
});
