import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelStatsAccumulator, type ChannelStats, type ReduceOn } from './ChannelStatsAccumulator';
import { naiveStats } from './test-utils/naiveStats';

const FIELDS = ['mean', 'meanAbs', 'apoz', 'variance', 'std', 'min', 'max', 'meanMap'] as const;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (tolerance ${tol})`);
    }
  }
}

function expectStats(actual: ChannelStats, expected: Omit<ChannelStats, 'layer'>, tol: number): void {
  expect(actual.channels).toBe(expected.channels);
  expect(actual.images).toBe(expected.images);
  expect(actual.positions).toBe(expected.positions);
  expect(actual.values).toBe(expected.values);
  expect(actual.mapShape).toEqual(expected.mapShape);
  for (const f of FIELDS) expectClose(actual[f], expected[f], tol, f);
}

for (const reduceOn of ['host', 'device'] as ReduceOn[]) describe(`ChannelStatsAccumulator (reduceOn '${reduceOn}') on hand-computed values`, () => {
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(before);
  });

  // Two images, a 1×2 map, two channels. Channel 0 takes 1, 3 / -1, 5; channel 1 takes -2, 0 / 4, -6.
  const expected: Omit<ChannelStats, 'layer'> = {
    channels: 2,
    images: 2,
    positions: 2,
    values: 4,
    mean: Float64Array.from([2, -1]), // (1+3-1+5)/4, (-2+0+4-6)/4
    meanAbs: Float64Array.from([2.5, 3]), // (1+3+1+5)/4, (2+0+4+6)/4
    apoz: Float64Array.from([0.25, 0.75]), // {-1} of 4; {-2, 0, -6} of 4
    variance: Float64Array.from([5, 13]), // (1+1+9+9)/4; (1+1+25+25)/4
    std: Float64Array.from([Math.sqrt(5), Math.sqrt(13)]),
    min: Float64Array.from([-1, -6]),
    max: Float64Array.from([5, 4]),
    meanMap: Float64Array.from([0, 4, 1, -3]), // c0: (1-1)/2, (3+5)/2; c1: (-2+4)/2, (0-6)/2
    mapShape: [2, 1, 2],
  };

  it('channelsLast [B,H,W,C]', () => {
    const x = tf.tensor4d([1, -2, 3, 0, -1, 4, 5, -6], [2, 1, 2, 2]);
    const acc = new ChannelStatsAccumulator({ layer: 'conv', dataFormat: 'channelsLast', reduceOn });
    acc.add(x);
    const stats = acc.result();
    expect(stats.layer).toBe('conv');
    expectStats(stats, expected, 1e-12);
    x.dispose();
  });

  it('channelsFirst [B,C,H,W]', () => {
    const x = tf.tensor4d([1, 3, -2, 0, -1, 5, 4, -6], [2, 2, 1, 2]);
    const acc = new ChannelStatsAccumulator({ dataFormat: 'channelsFirst', reduceOn });
    acc.add(x);
    expectStats(acc.result(), expected, 1e-12);
    x.dispose();
  });

  it('gives the same result one image at a time, and through enqueue/flush', async () => {
    const a = tf.tensor4d([1, -2, 3, 0], [1, 1, 2, 2]);
    const b = tf.tensor4d([-1, 4, 5, -6], [1, 1, 2, 2]);
    const acc = new ChannelStatsAccumulator({ reduceOn });
    acc.add(a);
    acc.add(b);
    expectStats(acc.result(), expected, 1e-12);
    const queued = new ChannelStatsAccumulator({ reduceOn });
    queued.enqueue(a);
    queued.enqueue(b);
    expect(queued.pendingBatches).toBe(2);
    expect(() => queued.result()).toThrow(/2 queued batch\(es\) not merged yet; await flush\(\) first/);
    await queued.flush();
    expectStats(queued.result(), expected, 1e-12);
    tf.dispose([a, b]);
  });

  it('counts Dense units as channels with a 1×1 map (rank 2)', () => {
    const x = tf.tensor2d([1, -1, 3, 0, 2, 2, 2, 3], [4, 2]);
    const acc = new ChannelStatsAccumulator({ reduceOn });
    acc.add(x);
    const s = acc.result();
    expect(s.mapShape).toEqual([2, 1, 1]);
    expect(s.positions).toBe(1);
    expectClose(s.mean, [2, 1], 1e-12, 'mean');
    expectClose(s.variance, [0.5, 2.5], 1e-12, 'variance'); // {1,3,2,2}: (1+1+0+0)/4; {-1,0,2,3}: (4+1+1+4)/4
    expectClose(s.apoz, [0, 0.5], 1e-12, 'apoz');
    expectClose(s.meanAbs, [2, 1.5], 1e-12, 'meanAbs');
    expectClose(s.min, [1, -1], 0, 'min');
    expectClose(s.max, [3, 3], 0, 'max');
    expectClose(s.meanMap, [2, 1], 1e-12, 'meanMap');
    x.dispose();
  });

  it('treats rank 3 as [B, L, C] (L×1 map) or [B, C, L]', () => {
    const values = [1, 2, 3, 4, 5, 6, -7, 8, 9, 10, 11, -12];
    const last = tf.tensor3d(values, [2, 3, 2]);
    const first = tf.tensor3d(values, [2, 2, 3]);
    const accLast = new ChannelStatsAccumulator({ reduceOn });
    accLast.add(last);
    const accFirst = new ChannelStatsAccumulator({ dataFormat: 'channelsFirst', reduceOn });
    accFirst.add(first);
    expectStats(accLast.result(), naiveStats([{ values, shape: [2, 3, 1, 2] }]), 1e-12);
    expect(accLast.result().mapShape).toEqual([2, 3, 1]);
    expectStats(accFirst.result(), naiveStats([{ values, shape: [2, 2, 3, 1] }], 'channelsFirst'), 1e-12);
    tf.dispose([last, first]);
  });

  it('stays accurate for a channel whose mean dwarfs its spread', () => {
    // Mean 1000, std ~1e-3 (1e6 apart): summing raw squares would lose every digit of the variance.
    const values: number[] = [];
    for (let i = 0; i < 64 * 4 * 4 * 3; i++) values.push(1000 + Math.sin(i * 12.9898) * 1e-3 * (1 + (i % 3)));
    const f32 = Float32Array.from(values);
    const acc = new ChannelStatsAccumulator({ reduceOn });
    for (let start = 0; start < 64; start += 16) {
      const x = tf.tensor4d(f32.subarray(start * 48, (start + 16) * 48), [16, 4, 4, 3]);
      acc.add(x);
      x.dispose();
    }
    const oracle = naiveStats([{ values: f32, shape: [64, 4, 4, 3] }]);
    const s = acc.result();
    // A float32 mean of values near 1000 can be off by half an ulp (3e-5); the deviation correction gets far closer.
    for (let c = 0; c < 3; c++) expect(Math.abs(s.mean[c]! - oracle.mean[c]!)).toBeLessThan(1e-8);
    // The variance itself is ~1e-6: compare relative to it.
    for (let c = 0; c < 3; c++) expect(Math.abs(s.variance[c]! - oracle.variance[c]!) / oracle.variance[c]!).toBeLessThan(1e-5);
  });

  it('rejects shapes without a channel axis and batches that change shape', () => {
    const acc = new ChannelStatsAccumulator({ layer: 'flat', reduceOn });
    const r1 = tf.tensor1d([1, 2]);
    expect(() => acc.add(r1)).toThrow(/ChannelStatsAccumulator\(flat\): an activation of shape \[2\] has no channel axis/);
    const a = tf.zeros([2, 3, 3, 4]);
    const b = tf.zeros([2, 3, 3, 5]);
    acc.add(a);
    expect(() => acc.add(b)).toThrow(/batch of shape \[2,3,3,5\] does not match earlier batches \[B,3,3,4\]/);
    expect(() => new ChannelStatsAccumulator({ reduceOn }).result()).toThrow(/no activations added yet/);
    tf.dispose([r1, a, b]);
  });
});
