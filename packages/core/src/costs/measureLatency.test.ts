import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { input, layers, model as functionalModel, sequential, type LayersModel } from '@tensorflow/tfjs-layers';
import { measureLatency } from './measureLatency';

/** Resolves once at least `ms` milliseconds of performance.now() have passed (a bare setTimeout may fire ~1 ms early). */
async function sleepAtLeast(ms: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) await new Promise((resolve) => setTimeout(resolve, Math.max(1, ms - (performance.now() - start))));
}

/**
 * Makes `model.predict` slow in a way only visible once an output's values are read, as on an asynchronous backend
 * (webgl, webgpu): predict returns at once, but `data()` of the chosen outputs resolves, and `dataSync()` returns,
 * only after at least `delayMs(call)` ms (`call` counts predict calls from 0, warm-up runs included). A timing that
 * does not wait for the values sees none of the delay.
 */
function slowToRead(model: LayersModel, delayMs: (call: number) => number, slowOutputs: readonly number[] = [0]) {
  const predict = model.predict.bind(model);
  let call = 0;
  return vi.spyOn(model, 'predict').mockImplementation((x, args) => {
    const delay = delayMs(call++);
    const output = predict(x, args);
    const outputs = Array.isArray(output) ? output : [output];
    for (const i of slowOutputs) {
      const t = outputs[i]!;
      const data = t.data.bind(t);
      const dataSync = t.dataSync.bind(t);
      t.data = (async () => {
        await sleepAtLeast(delay);
        return data();
      }) as typeof t.data;
      t.dataSync = (() => {
        const start = performance.now();
        while (performance.now() - start < delay) {
          // busy-wait: a synchronous read blocks
        }
        return dataSync();
      }) as typeof t.dataSync;
    }
    return output;
  });
}

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

  it('waits for the output values: each sample is at least the time its data takes to be ready', async () => {
    const m = sequential({ layers: [layers.dense({ inputShape: [4], units: 2 })] });
    const x = tf.ones([3, 4]);
    const before = tf.memory().numTensors;
    const DELAY = 40;
    const predict = slowToRead(m, () => DELAY);
    const stats = await measureLatency(m, x, { runs: 3, warmup: 1 });
    expect(predict).toHaveBeenCalledTimes(4);
    // Lower bounds only: a loaded machine makes runs slower, never faster than the data takes.
    for (const sample of stats.samplesMs) expect(sample).toBeGreaterThanOrEqual(DELAY);
    expect(stats.minMs).toBeGreaterThanOrEqual(DELAY);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('times each run on its own: samples follow per-run delays, in order, and fit inside the whole call', async () => {
    const m = sequential({ layers: [layers.dense({ inputShape: [4], units: 2 })] });
    const x = tf.ones([3, 4]);
    const WARMUP = 2;
    // Warm-up calls are fast; timed run i takes at least 15·(i+1) ms, so no two samples can share a lower bound.
    const delay = (call: number) => (call < WARMUP ? 0 : 15 * (call - WARMUP + 1));
    slowToRead(m, delay);
    const start = performance.now();
    const stats = await measureLatency(m, x, { runs: 5, warmup: WARMUP });
    const elapsed = performance.now() - start;
    stats.samplesMs.forEach((sample, i) => expect(sample).toBeGreaterThanOrEqual(delay(WARMUP + i)));
    expect(stats.maxMs).toBeGreaterThanOrEqual(75);
    expect(stats.medianMs).toBeGreaterThanOrEqual(45);
    expect(stats.meanMs).toBeGreaterThanOrEqual(45);
    // Not a timing bound: the runs happen one after another inside the call, so their sum cannot exceed its
    // duration, however loaded the machine. Together with the lower bounds this rules out samples that repeat or
    // inflate one measurement (every sample ≥ 75 ms would sum to ≥ 375 ms against the ≥ 225 ms the delays take).
    expect(stats.samplesMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(elapsed);
    x.dispose();
    m.dispose();
  });

  it('waits for every output of a multi-output model, not only the first', async () => {
    const inp = input({ shape: [4] });
    const fast = layers.dense({ units: 2 }).apply(inp) as ReturnType<typeof input>;
    const slow = layers.dense({ units: 3 }).apply(inp) as ReturnType<typeof input>;
    const m = functionalModel({ inputs: inp, outputs: [fast, slow] });
    const x = tf.ones([3, 4]);
    const before = tf.memory().numTensors;
    const DELAY = 40;
    slowToRead(m, () => DELAY, [1]);
    const stats = await measureLatency(m, x, { runs: 3, warmup: 0 });
    for (const sample of stats.samplesMs) expect(sample).toBeGreaterThanOrEqual(DELAY);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('measureLatency batch', () => {
  it('times one forward pass of every input row, not predict’s default batches of 32', async () => {
    const x = input({ shape: [3] });
    const dense = layers.dense({ units: 2 }) as unknown as { call: (...a: unknown[]) => unknown };
    const m = functionalModel({ inputs: x, outputs: (dense as unknown as ReturnType<typeof layers.dense>).apply(x) as never });
    const call = dense.call.bind(dense);
    let calls = 0;
    dense.call = (...a: unknown[]) => {
      calls++;
      return call(...a);
    };
    const rows = tf.ones([64, 3]);
    await measureLatency(m, rows, { runs: 2, warmup: 0 });
    expect(calls).toBe(2); // one pass per run; predict's default batch (32) would have made 4
    rows.dispose();
    m.dispose();
  });
});
