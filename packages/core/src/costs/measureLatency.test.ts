import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { layers, sequential } from '@tensorflow/tfjs-layers';
import { measureLatency } from './measureLatency';

describe('measureLatency', () => {
  it('runs warmup + runs predictions, returns ordered statistics and leaks nothing', async () => {
    const m = sequential({ layers: [layers.dense({ inputShape: [16], units: 8, activation: 'relu' }), layers.dense({ units: 1 })] });
    const x = tf.randomNormal([32, 16], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const predict = vi.spyOn(m, 'predict');
    const stats = await measureLatency(m, x, { runs: 7, warmup: 2 });
    expect(predict).toHaveBeenCalledTimes(9);
    expect(stats.runs).toBe(7);
    expect(stats.warmup).toBe(2);
    expect(stats.samplesMs).toHaveLength(7);
    const sorted = [...stats.samplesMs].sort((a, b) => a - b);
    expect(stats.minMs).toBe(sorted[0]);
    expect(stats.maxMs).toBe(sorted[6]);
    expect(stats.medianMs).toBe(sorted[3]);
    expect(stats.p90Ms).toBe(sorted[6]); // nearest rank: ceil(0.9·7) = 7th
    expect(stats.meanMs).toBeCloseTo(stats.samplesMs.reduce((a, b) => a + b, 0) / 7, 10);
    expect(stats.minMs).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('times multi-input models and rejects bad options', async () => {
    const m = sequential({ layers: [layers.dense({ inputShape: [4], units: 2 })] });
    const x = tf.ones([2, 4]);
    const stats = await measureLatency(m, [x], { runs: 4, warmup: 0 });
    expect(stats.medianMs).toBe((([...stats.samplesMs].sort((a, b) => a - b)[1]!) + [...stats.samplesMs].sort((a, b) => a - b)[2]!) / 2);
    await expect(measureLatency(m, x, { runs: 0 })).rejects.toThrow(/options.runs must be a positive integer, got 0/);
    await expect(measureLatency(m, x, { warmup: -1 })).rejects.toThrow(/options.warmup must be a non-negative integer, got -1/);
    x.dispose();
    m.dispose();
  });
});
