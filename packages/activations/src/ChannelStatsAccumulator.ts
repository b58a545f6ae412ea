import { abs, avgPool, cast, concat, keep, maxPool, reshape, square, step, sub, tensor4d, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';

/** Where the channel axis of an activation is: last (`[B, H, W, C]`, tfjs's default) or second (`[B, C, H, W]`). */
export type DataFormat = 'channelsLast' | 'channelsFirst';

/**
 * Where batches are reduced. 'device' (default) reduces each flush over the batch axis on the backend (pooling
 * ops, available and fast on every backend) and reads back only per-position results, which suits GPU backends.
 * 'host' reads every activation back and reduces it in one float64 loop: min and max are then bit-exact and
 * every sum is float64; on wasm it costs about the same as 'device'.
 */
export type ReduceOn = 'device' | 'host';

/**
 * Per-channel statistics of one layer's output over every image and position seen. Arrays have one entry per
 * channel, except `meanMap` ([C, H, W] row-major). Variance is the population variance (divided by `values`).
 */
export interface ChannelStats {
  /** The tapped layer's path as given by the caller (or the accumulator's label). */
  layer: string;
  /** Number of channels C. */
  channels: number;
  /** Images (samples) seen; a layer applied twice per pair (a Siamese encoder) counts both applications. */
  images: number;
  /** Spatial positions per image and channel, H × W (1 for a Dense output). */
  positions: number;
  /** Values per channel: images × positions. */
  values: number;
  /** Mean activation of each channel (the lab's score). */
  mean: Float64Array;
  /** Mean absolute activation of each channel. */
  meanAbs: Float64Array;
  /** Share of values ≤ 0 per channel, i.e. zero after a following ReLU (APoZ). */
  apoz: Float64Array;
  /** Population variance of each channel over images and positions. */
  variance: Float64Array;
  /** Square root of `variance`. */
  std: Float64Array;
  /** Smallest value of each channel. */
  min: Float64Array;
  /** Largest value of each channel. */
  max: Float64Array;
  /** Mean over images of each channel's map, [C, H, W] row-major. */
  meanMap: Float64Array;
  /** Shape of `meanMap`: [C, H, W]. */
  mapShape: [number, number, number];
}

/** Options of {@link ChannelStatsAccumulator}. */
export interface ChannelStatsOptions {
  /** Label reported as `ChannelStats.layer` (default 'activation'). */
  layer?: string;
  /** Channel axis of the tensors fed in (default 'channelsLast'). */
  dataFormat?: DataFormat;
  /** Where batches are reduced (default 'device'). */
  reduceOn?: ReduceOn;
}

/** How a tensor's shape maps onto channels and positions. */
interface Layout {
  channels: number;
  height: number;
  width: number;
  /** Values per image; position index i runs over them in memory order. */
  size: number;
  /** The shape after the batch axis, for consistency checks. */
  inner: number[];
}

/** A batch taken but not merged yet: a view of the activation (shares the forward pass's buffer, no copy). */
interface Queued {
  batch: number;
  activation: Tensor;
}

/**
 * Per-position reductions a device batch produces, each [size] (values per image, memory order), in this order: the centre m̃ of the
 * deviations (the batch's float32 mean, or the running shift K), mean of e = m̃ − x (corrects m̃), mean of e²,
 * mean of |x|, share of x > 0, max of x, max of e (= m̃ − min).
 */
const DEVICE_OUTPUTS = 7;

/**
 * Streams per-channel statistics of activations batch by batch with bounded memory (O(C·H·W) float64 state).
 * State per position: a shift K (the first batch's mean), Σ(x−K), Σ(x−K)², Σ|x|, #(x ≤ 0), min and max, all
 * float64, so the variance is free of cancellation and exact to float64 rounding for any dataset size.
 *
 * Channels: the last axis (channelsLast) or axis 1 (channelsFirst) of a rank-4 `[B,H,W,C]`/`[B,C,H,W]` tensor;
 * rank 3 `[B,L,C]`/`[B,C,L]` gives an L×1 map; rank 2 `[B,units]` counts each unit as a channel with a 1×1 map.
 */
export class ChannelStatsAccumulator {
  /** Label reported as `ChannelStats.layer`. */
  readonly layer: string;
  /** Channel axis of the tensors fed in. */
  readonly dataFormat: DataFormat;
  /** Where batches are reduced. */
  readonly reduceOn: ReduceOn;
  private layout: Layout | null = null;
  private images = 0;
  private shift = new Float64Array(0);
  /** The shift rounded to float32, uploaded as the centre of device reductions. */
  private shift32 = new Float32Array(0);
  private sumDev = new Float64Array(0);
  private sumSqDev = new Float64Array(0);
  private sumAbs = new Float64Array(0);
  private nonPositive = new Float64Array(0);
  private minimum = new Float64Array(0);
  private maximum = new Float64Array(0);
  private queue: Queued[] = [];

  constructor(options: ChannelStatsOptions = {}) {
    this.layer = options.layer ?? 'activation';
    this.dataFormat = options.dataFormat ?? 'channelsLast';
    this.reduceOn = options.reduceOn ?? 'device';
    if (this.dataFormat !== 'channelsLast' && this.dataFormat !== 'channelsFirst') {
      throw new Error(`ChannelStatsAccumulator(${this.layer}): dataFormat must be 'channelsLast' or 'channelsFirst', got ${String(this.dataFormat)}`);
    }
    if (this.reduceOn !== 'device' && this.reduceOn !== 'host') {
      throw new Error(`ChannelStatsAccumulator(${this.layer}): reduceOn must be 'device' or 'host', got ${String(this.reduceOn)}`);
    }
  }

  /** Images merged so far (queued batches not included). */
  get imageCount(): number {
    return this.images;
  }

  /** Batches taken by {@link enqueue} but not yet merged. */
  get pendingBatches(): number {
    return this.queue.length;
  }

  /** Adds a batch of activations and merges it now (reads from the backend synchronously). */
  add(x: Tensor): void {
    const q = this.take(x, false);
    if (q === null) return;
    try {
      if (this.reduceOn === 'host') {
        this.mergeHost(q.activation.dataSync() as Float32Array, q.batch);
      } else {
        const reduced = this.reduceOnDevice([q]);
        try {
          this.mergeDevice([q], reduced.dataSync() as Float32Array);
        } finally {
          reduced.dispose();
        }
      }
    } finally {
      q.activation.dispose();
    }
  }

  /**
   * Takes a batch now (a zero-copy view) and reduces and merges it at the next {@link flush}: cheap and safe
   * inside a forward pass (even inside `tf.tidy`), and the reductions then run after the pass, not between
   * its layers.
   */
  enqueue(x: Tensor): void {
    const q = this.take(x, true);
    if (q !== null) this.queue.push(q);
  }

  /** Reduces, reads and merges every queued batch (asynchronously, so a GPU backend is not blocked), then frees them. */
  async flush(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    if (queue.length === 0) return;
    try {
      if (this.reduceOn === 'host') {
        for (const q of queue) this.mergeHost((await q.activation.data()) as Float32Array, q.batch);
      } else {
        const reduced = this.reduceOnDevice(queue);
        let values: Float32Array;
        try {
          values = (await reduced.data()) as Float32Array; // one read for every batch: reads have a fixed cost
        } finally {
          reduced.dispose();
        }
        this.mergeDevice(queue, values);
      }
    } finally {
      for (const q of queue) q.activation.dispose();
    }
  }

  /** Frees queued batches without merging them. */
  dispose(): void {
    for (const q of this.queue) q.activation.dispose();
    this.queue = [];
  }

  /** The statistics so far; throws if nothing was added or batches are still queued (await {@link flush} first). */
  result(): ChannelStats {
    if (this.queue.length > 0) {
      throw new Error(`ChannelStatsAccumulator(${this.layer}): ${this.queue.length} queued batch(es) not merged yet; await flush() first`);
    }
    const l = this.layout;
    if (l === null || this.images === 0) throw new Error(`ChannelStatsAccumulator(${this.layer}): no activations added yet`);
    const C = l.channels;
    const S = l.height * l.width;
    const n = this.images;
    const values = n * S;
    const out = {
      mean: new Float64Array(C),
      meanAbs: new Float64Array(C),
      apoz: new Float64Array(C),
      variance: new Float64Array(C),
      std: new Float64Array(C),
      min: new Float64Array(C).fill(Infinity),
      max: new Float64Array(C).fill(-Infinity),
      meanMap: new Float64Array(C * S),
    };
    for (let c = 0; c < C; c++) {
      let sumMean = 0;
      let sumAbs = 0;
      let nonPositive = 0;
      let within = 0; // Σ over positions of Σ(x − mean_position)²
      for (let s = 0; s < S; s++) {
        const i = this.positionIndex(c, s);
        const dev = this.sumDev[i]!;
        const m = this.shift[i]! + dev / n;
        out.meanMap[c * S + s] = m;
        sumMean += m;
        sumAbs += this.sumAbs[i]!;
        nonPositive += this.nonPositive[i]!;
        within += Math.max(0, this.sumSqDev[i]! - (dev * dev) / n);
        if (this.minimum[i]! < out.min[c]!) out.min[c] = this.minimum[i]!;
        if (this.maximum[i]! > out.max[c]!) out.max[c] = this.maximum[i]!;
      }
      const mean = sumMean / S; // every position holds n values, so the channel mean is the mean of its map
      let between = 0;
      for (let s = 0; s < S; s++) between += (out.meanMap[c * S + s]! - mean) ** 2;
      const variance = (within + n * between) / values;
      out.mean[c] = mean;
      out.meanAbs[c] = sumAbs / values;
      out.apoz[c] = nonPositive / values;
      out.variance[c] = variance;
      out.std[c] = Math.sqrt(variance);
    }
    return { layer: this.layer, channels: C, images: n, positions: S, values, ...out, mapShape: [C, l.height, l.width] };
  }

  /** Index into the per-position state of channel c at spatial position s (row-major h·W + w). */
  private positionIndex(c: number, s: number): number {
    const l = this.layout!;
    return this.dataFormat === 'channelsLast' ? s * l.channels + c : c * l.height * l.width + s;
  }

  private layoutOf(x: Tensor): Layout {
    const shape = x.shape;
    const first = this.dataFormat === 'channelsFirst';
    let channels: number;
    let height = 1;
    let width = 1;
    if (shape.length === 2) {
      channels = shape[1]!;
    } else if (shape.length === 3) {
      channels = first ? shape[1]! : shape[2]!;
      height = first ? shape[2]! : shape[1]!;
    } else if (shape.length === 4) {
      channels = first ? shape[1]! : shape[3]!;
      height = first ? shape[2]! : shape[1]!;
      width = first ? shape[3]! : shape[2]!;
    } else {
      throw new Error(
        `ChannelStatsAccumulator(${this.layer}): an activation of shape [${shape.join(',')}] has no channel axis this ` +
          `accumulator understands; expected [B,units], [B,L,C]/[B,C,L] or [B,H,W,C]/[B,C,H,W]`,
      );
    }
    const S = height * width;
    return { channels, height, width, size: S * channels, inner: shape.slice(1) };
  }

  /** Checks the shape and takes a float32 view of the activation (kept when it must outlive a tidy). */
  private take(x: Tensor, keepResult: boolean): Queued | null {
    const layout = this.layoutOf(x);
    if (this.layout === null) {
      this.layout = layout;
    } else if (layout.inner.join(',') !== this.layout.inner.join(',')) {
      throw new Error(
        `ChannelStatsAccumulator(${this.layer}): batch of shape [${x.shape.join(',')}] does not match earlier batches ` +
          `[B,${this.layout.inner.join(',')}]`,
      );
    }
    const batch = x.shape[0]!;
    if (batch === 0) return null;
    // A reshape shares the buffer on every backend (a clone copies on stock wasm).
    const activation = tidy(() => reshape(x.dtype === 'float32' ? x : cast(x, 'float32'), x.shape));
    if (keepResult) keep(activation);
    return { batch, activation };
  }

  /**
   * The {@link DEVICE_OUTPUTS} per-position reductions of all queued batches taken together as one batch,
   * concatenated into [7·size]: one set of ops per flush, whatever the number of applications queued
   * (each op has a fixed cost comparable to a pass over a small activation).
   */
  private reduceOnDevice(queue: readonly Queued[]): Tensor {
    const { size } = this.layout!;
    const batch = queue.reduce((n, q) => n + q.batch, 0);
    return tidy(() => {
      // Every value of an image is a pooling "channel": [1, B, 1, size]. Pooling over a [B, 1] window then
      // reduces over the batch axis only, and with the values innermost it runs 2-4 times faster on wasm than
      // with a [1, B, H·W, C] view (and unlike tf.sum over a leading axis, needs no transpose).
      const views = queue.map((q) => reshape(q.activation, [1, q.batch, 1, size]) as Tensor4D);
      const v = views.length === 1 ? views[0]! : (concat(views, 1) as Tensor4D); // [1, ΣB, 1, size]
      const pool = (u: Tensor4D, op: typeof avgPool | typeof maxPool) => op(u, [batch, 1], [batch, 1], 'valid'); // [1, 1, 1, size]
      // The centre: the running shift K once known (one pool less), else these batches' own mean.
      const m = this.images > 0 ? tensor4d(this.shift32, [1, 1, 1, size]) : pool(v, avgPool);
      const e = sub(m, v) as Tensor4D; // [1, ΣB, 1, size], deviations from a centre near the mean: no cancellation
      const parts = [m, pool(e, avgPool), pool(square(e), avgPool), pool(abs(v), avgPool), pool(step(v), avgPool), pool(v, maxPool), pool(e, maxPool)];
      return concat(parts.map((t) => reshape(t, [size])));
    });
  }

  /** Allocates the per-position state on the first merge, with the shift K set to that batch's mean. */
  private initState(batchMean: (i: number) => number): void {
    const size = this.layout!.size;
    this.shift = new Float64Array(size);
    for (let i = 0; i < size; i++) this.shift[i] = batchMean(i);
    this.shift32 = Float32Array.from(this.shift);
    this.sumDev = new Float64Array(size);
    this.sumSqDev = new Float64Array(size);
    this.sumAbs = new Float64Array(size);
    this.nonPositive = new Float64Array(size);
    this.minimum = new Float64Array(size).fill(Infinity);
    this.maximum = new Float64Array(size).fill(-Infinity);
  }

  /** One fused float64 pass over a whole batch in memory order: image-major, then position index i. */
  private mergeHost(x: Float32Array, batch: number): void {
    const size = this.layout!.size;
    if (this.images === 0) {
      const firstMean = new Float64Array(size);
      for (let k = 0; k < x.length; k++) firstMean[k % size] = firstMean[k % size]! + x[k]!;
      this.initState((i) => firstMean[i]! / batch);
    }
    accumulateBatch(x, batch, size, this.shift, this.sumDev, this.sumSqDev, this.sumAbs, this.nonPositive, this.minimum, this.maximum);
    this.images += batch;
  }

  /** Folds the reductions of the queued batches, taken as one batch (laid out as by reduceOnDevice), into the shifted sums. */
  private mergeDevice(queue: readonly Queued[], values: Float32Array): void {
    const size = this.layout!.size;
    const batch = queue.reduce((n, q) => n + q.batch, 0);
    this.mergeDeviceBatch(batch, Array.from({ length: DEVICE_OUTPUTS }, (_, k) => values.subarray(k * size, (k + 1) * size)));
  }

  /** Folds one batch's per-position reductions into the shifted sums, in float64. */
  private mergeDeviceBatch(b: number, [mean, meanDev, meanSqDev, meanAbs, positive, max, maxDev]: Float32Array[]): void {
    const batchMean = (i: number) => mean![i]! - meanDev![i]!; // m̃ − mean(m̃ − x)
    if (this.images === 0) this.initState(batchMean);
    const { shift, sumDev, sumSqDev, sumAbs, nonPositive, minimum, maximum } = this;
    for (let i = 0; i < this.layout!.size; i++) {
      const r = meanDev![i]!;
      const m = batchMean(i);
      const m2 = b * Math.max(0, meanSqDev![i]! - r * r); // Σ(x − m)² = Σ(m̃ − x)² − b·(m̃ − m)²
      const off = m - shift[i]!;
      sumDev[i] = sumDev[i]! + b * off;
      sumSqDev[i] = sumSqDev[i]! + (m2 + b * off * off);
      sumAbs[i] = sumAbs[i]! + b * meanAbs![i]!;
      // The pooled share of positives is k/b rounded to float32; k is an integer, so rounding recovers it.
      nonPositive[i] = nonPositive[i]! + (b - Math.round(b * positive![i]!));
      const lo = mean![i]! - maxDev![i]!;
      if (lo < minimum[i]!) minimum[i] = lo;
      if (max![i]! > maximum[i]!) maximum[i] = max![i]!;
    }
    this.images += b;
  }
}

/**
 * The host reduction's loop: positions outer, images inner, so each position's sums stay in registers (about
 * three times faster in V8 than updating seven arrays per value).
 */
function accumulateBatch(
  x: Float32Array,
  batch: number,
  size: number,
  shift: Float64Array,
  sumDev: Float64Array,
  sumSqDev: Float64Array,
  sumAbs: Float64Array,
  nonPositive: Float64Array,
  minimum: Float64Array,
  maximum: Float64Array,
): void {
  for (let i = 0; i < size; i++) {
    const k0 = shift[i]!;
    let s1 = 0;
    let s2 = 0;
    let sa = 0;
    let np = 0;
    let lo = minimum[i]!;
    let hi = maximum[i]!;
    for (let b = 0, k = i; b < batch; b++, k += size) {
      const v = x[k]!;
      const d = v - k0;
      s1 += d;
      s2 += d * d;
      sa += Math.abs(v);
      np += +(v <= 0);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    sumDev[i] = sumDev[i]! + s1;
    sumSqDev[i] = sumSqDev[i]! + s2;
    sumAbs[i] = sumAbs[i]! + sa;
    nonPositive[i] = nonPositive[i]! + np;
    minimum[i] = lo;
    maximum[i] = hi;
  }
}
