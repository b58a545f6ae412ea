import type { ChannelStats, DataFormat } from '../ChannelStatsAccumulator';

/** Values of one activation batch with their shape, as plain arrays (what a test materialises). */
export interface MaterialisedBatch {
  values: Float32Array | number[];
  shape: number[];
}

/**
 * The statistics by plain loops over every value, in float64 with two passes (mean first, then squared
 * deviations): the independent oracle the streaming accumulator is compared against.
 */
export function naiveStats(batches: readonly MaterialisedBatch[], dataFormat: DataFormat = 'channelsLast'): Omit<ChannelStats, 'layer'> {
  const first = batches[0]!.shape;
  const rank = first.length;
  const cf = dataFormat === 'channelsFirst';
  const C = rank === 2 ? first[1]! : cf ? first[1]! : first[rank - 1]!;
  const H = rank === 2 ? 1 : cf ? first[2]! : first[1]!;
  const W = rank === 4 ? (cf ? first[3]! : first[2]!) : 1;
  const S = H * W;
  // Visit every value as (channel, position).
  const each = (fn: (c: number, s: number, v: number) => void) => {
    for (const b of batches) {
      const B = b.shape[0]!;
      for (let i = 0; i < B; i++) {
        for (let c = 0; c < C; c++) {
          for (let s = 0; s < S; s++) {
            const idx = cf ? (i * C + c) * S + s : (i * S + s) * C + c;
            fn(c, s, Number(b.values[idx]));
          }
        }
      }
    }
  };
  const images = batches.reduce((n, b) => n + b.shape[0]!, 0);
  const values = images * S;
  const sum = new Float64Array(C);
  const sumAbs = new Float64Array(C);
  const nonPos = new Float64Array(C);
  const min = new Float64Array(C).fill(Infinity);
  const max = new Float64Array(C).fill(-Infinity);
  const mapSum = new Float64Array(C * S);
  each((c, s, v) => {
    sum[c] = sum[c]! + v;
    sumAbs[c] = sumAbs[c]! + Math.abs(v);
    if (v <= 0) nonPos[c] = nonPos[c]! + 1;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
    mapSum[c * S + s] = mapSum[c * S + s]! + v;
  });
  const mean = sum.map((v) => v / values);
  const m2 = new Float64Array(C);
  each((c, _s, v) => {
    m2[c] = m2[c]! + (v - mean[c]!) ** 2;
  });
  const variance = m2.map((v) => v / values);
  return {
    channels: C,
    images,
    positions: S,
    values,
    mean,
    meanAbs: sumAbs.map((v) => v / values),
    apoz: nonPos.map((v) => v / values),
    variance,
    std: variance.map(Math.sqrt),
    min,
    max,
    meanMap: mapSum.map((v) => v / images),
    mapShape: [C, H, W],
  };
}
