import { describe, expect, it } from 'vitest';
import { modelLayers } from './modelLayers';
import { ZOO } from './zoo';

describe('seedBatchNorms (through the builders)', () => {
  it('leaves no BatchNormalization at its identity initial weights', () => {
    const model = ZOO.resnet.build();
    const norms = modelLayers(model).filter((l) => l.getClassName() === 'BatchNormalization');
    expect(norms.length).toBeGreaterThan(0);
    for (const layer of norms) {
      const [gamma, beta, mean, variance] = layer.getWeights().map((w) => Array.from(w.dataSync()));
      expect(gamma!.some((v) => Math.abs(v - 1) > 0.01)).toBe(true);
      expect(beta!.some((v) => Math.abs(v) > 0.01)).toBe(true);
      expect(mean!.some((v) => Math.abs(v) > 0.01)).toBe(true);
      expect(variance!.every((v) => v >= 0.5 && v <= 1.5)).toBe(true);
      expect(variance!.some((v) => Math.abs(v - 1) > 0.01)).toBe(true);
    }
    model.dispose();
  });
});
