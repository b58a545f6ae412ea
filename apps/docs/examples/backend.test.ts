import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { chooseBackend, convFilterGradient } from './backend';

describe('backend guide example', () => {
  it("chooseBackend('wasm'): sets wasm and computes a conv filter gradient equal to the cpu backend's", async () => {
    const { backend, reason, activeBackend, gradient } = await chooseBackend('wasm');
    expect(backend).toBe('wasm');
    expect(activeBackend).toBe('wasm');
    expect(reason).toMatch(/wasm/);
    await tf.setBackend('cpu');
    let oracle: Float32Array;
    try {
      oracle = await convFilterGradient();
    } finally {
      await tf.setBackend('wasm');
    }
    expect(gradient).toHaveLength(3 * 3 * 3 * 4);
    const scale = Math.max(...oracle.map(Math.abs));
    for (let i = 0; i < oracle.length; i++)
      expect(Math.abs(gradient[i]! - oracle[i]!)).toBeLessThanOrEqual(1e-4 * scale);
  });
});
