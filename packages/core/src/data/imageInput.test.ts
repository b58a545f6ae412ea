import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { imageInput } from './imageInput';

/** A w×h RGBA image whose pixel (x, y) is (10x, 10y, 7, 255). */
function ramp(w: number, h: number): { data: Uint8Array; width: number; height: number } {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([10 * x, 10 * y, 7, 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

describe('imageInput', () => {
  it('RGB at its own size: (x · scale − mean) / std per channel, alpha dropped, row-major HWC', () => {
    const before = tf.memory().numTensors;
    const x = imageInput(ramp(3, 2), { height: 2, width: 3, channels: 3, scale: 1, mean: [1, 2, 3], std: [2, 4, 8] });
    expect(tf.memory().numTensors).toBe(before);
    // Pixel (x=2, y=1) = (20, 10, 7) at offset (1·3 + 2)·3.
    expect(Array.from(x.slice(15, 18))).toEqual([(20 - 1) / 2, (10 - 2) / 4, (7 - 3) / 8]);
    expect(x.length).toBe(18);
  });

  it('one channel is the ITU-R 601 luma; a resize keeps a flat image flat and samples half-pixel centres', () => {
    const [r, g, b] = [10 * 2, 10 * 1, 7];
    const gray = imageInput(ramp(3, 2), { height: 2, width: 3, channels: 1 });
    expect(gray[5]).toBeCloseTo((0.299 * r + 0.587 * g + 0.114 * b) / 255, 6);
    const flat = { data: new Uint8Array(4 * 4 * 4).fill(51), width: 4, height: 4 };
    for (const v of imageInput(flat, { height: 7, width: 3, channels: 3 })) expect(v).toBeCloseTo(0.2, 6);
    // 2× down with half-pixel centres: each output is the mean of a 2×2 block (red 0,10 → 5 in the first column).
    const down = imageInput(ramp(4, 4), { height: 2, width: 2, channels: 3, scale: 1 });
    expect(down[0]).toBeCloseTo(5, 5);
    expect(down[1]).toBeCloseTo(5, 5);
    expect(() => imageInput(ramp(2, 2), { height: 2, width: 2, channels: 3, mean: [1, 2] })).toThrow(/mean has 2 values but the model's input has 3 channel\(s\)/);
  });
});
