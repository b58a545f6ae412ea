import { layers } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { KNOWN_LAYER_CLASSES, layerSemantics, supportedLayers } from './layerTable';

describe('supportedLayers', () => {
  it('lists every class of the table once, in its order', () => {
    expect(supportedLayers().map((l) => l.className)).toEqual([...KNOWN_LAYER_CLASSES]);
  });

  it('gives the role layerSemantics gives a real layer of that class', () => {
    const real = [
      layers.conv2d({ filters: 4, kernelSize: 3 }),
      layers.dense({ units: 3 }),
      layers.depthwiseConv2d({ kernelSize: 3 }),
      layers.batchNormalization(),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.reshape({ targetShape: [4] }),
      layers.add(),
      layers.concatenate(),
      layers.softmax(),
      layers.layerNormalization(),
    ];
    const roles = new Map(supportedLayers().map((l) => [l.className, l.role]));
    for (const layer of real) expect([layer.getClassName(), roles.get(layer.getClassName())]).toEqual([layer.getClassName(), layerSemantics(layer).role]);
    expect(roles.get('Conv2D')).toBe('source');
    expect(roles.get('BatchNormalization')).toBe('channelwise');
    expect(roles.get('Softmax')).toBe('refused');
  });
});
