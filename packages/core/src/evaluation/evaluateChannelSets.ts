import * as tf from '@tensorflow/tfjs-core';
import { opsFor, runOp, runOps } from '../graph/flatGraph';
import { weightIndex } from '../graph/modelTree';
import { consumerIndices, type ConsumerApplication, type MaskPlan } from './maskPlan';

/** Predictions of one model output for each channel set, and how they were computed. */
export interface ChannelSetPredictions {
  /** For each set, the output for every example, row-major [count, outputSize]. */
  predictions: Float32Array[];
  outputSize: number;
}

/** Options of {@link evaluateChannelSets}. */
export interface EvaluateSetsOptions {
  batchSize: number;
  /** Called after each set on each batch with that set's predictions so far (complete on the last batch). */
  onStep?: (setIndex: number, batchIndex: number, batches: number, predictions: Float32Array, outputSize: number) => void;
}

/** Lets the event loop run (a page paints, a progress bar moves) between batches. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A consumer's input with the entries of the pruned channels set to 0 (what surgery's removed rows would read). */
export function maskConsumerInput(app: ConsumerApplication, x: tf.Tensor, set: readonly number[]): tf.Tensor {
  if (set.length === 0) return x;
  const size = app.maps[0]!.size;
  const keep = new Float32Array(size).fill(1);
  for (const i of consumerIndices(app, set)) keep[i] = 0;
  return tf.mul(x, tf.tensor(keep, [...Array.from({ length: x.rank - 1 }, () => 1), size]));
}

/** The entries at `indices` of every row of `width` in `data`: a [rows, indices.length] array. */
function gatherColumns(data: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const rows = data.length / width;
  const n = indices.length;
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) out[r * n + j] = data[r * width + indices[j]!]!;
  return out;
}

/** Rows `indices` of every [width, inner] block of `data` viewed as [outer, width, inner]: [outer, indices.length, inner]. */
function gatherRows(data: Float32Array, width: number, inner: number, indices: readonly number[]): Float32Array {
  const outer = data.length / (width * inner);
  const out = new Float32Array(outer * indices.length * inner);
  let write = 0;
  for (let o = 0; o < outer; o++) {
    for (const i of indices) {
      const from = (o * width + i) * inner;
      out.set(data.subarray(from, from + inner), write);
      write += inner;
    }
  }
  return out;
}

/** A consumer's input for one batch, kept in JS memory so one channel's values can be gathered without a slice kernel. */
interface PreparedInput {
  data: Float32Array;
  shape: number[];
}

/** A consumer's linear part on an input holding only some channels, or all of them (Dense, Conv1D, Conv2D). */
class ConsumerMath {
  private readonly kernel: tf.Tensor;
  private readonly kernelData: Float32Array;
  private readonly bias: tf.Tensor | null;
  /** Each channel's entries along the input's last axis. */
  private readonly indices: number[][];
  /** Whether the group's channels are every entry of the input (no other channels reach this consumer there). */
  readonly fillsInput: boolean;
  /** Each channel's kernel slice, made on first use and kept for the whole evaluation. */
  private readonly kernelSlices = new Map<number, tf.Tensor>();
  private readonly activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  private readonly cfg: Record<string, unknown>;

  constructor(readonly app: ConsumerApplication, readonly channels: number) {
    const weights = app.op.layer.getWeights();
    const bias = weightIndex(app.op.layer, 'bias');
    this.kernel = tf.keep(weights[weightIndex(app.op.layer, 'kernel')]!.clone());
    this.kernelData = Float32Array.from(this.kernel.dataSync());
    this.bias = bias >= 0 ? tf.keep(weights[bias]!.clone()) : null;
    this.indices = Array.from({ length: channels }, (_, c) => consumerIndices(app, [c]));
    this.fillsInput = new Set(this.indices.flat()).size === app.maps[0]!.size;
    this.cfg = app.op.layer.getConfig() as Record<string, unknown>;
    this.activation = (app.op.layer as unknown as { activation?: { apply(x: tf.Tensor): tf.Tensor } }).activation ?? null;
  }

  dispose(): void {
    tf.dispose([this.kernel, ...(this.bias ? [this.bias] : []), ...this.kernelSlices.values()]);
    this.kernelSlices.clear();
  }

  /** The batch's input values (a tfjs slice kernel per channel would cost more than the matmul it feeds). */
  prepare(x: tf.Tensor): PreparedInput {
    return { data: x.dataSync() as Float32Array, shape: [...x.shape] };
  }

  /** Channel c's kernel slice: its Dense rows as [n, units] (a single row as [units]), or a conv kernel [..., n, out]. */
  private kernelSlice(c: number): tf.Tensor {
    const cached = this.kernelSlices.get(c);
    if (cached) return cached;
    const shape = this.kernel.shape;
    const rows = this.indices[c]!;
    const [inputs, out] = shape.slice(-2) as [number, number];
    const data = gatherRows(this.kernelData, inputs, out, rows);
    let slice: tf.Tensor;
    if (this.app.linear === 'dense') slice = rows.length === 1 ? tf.tensor1d(data) : tf.tensor2d(data, [rows.length, out]);
    else slice = tf.tensor(data, [...shape.slice(0, -2), rows.length, out]);
    const kept = tf.keep(slice);
    this.kernelSlices.set(c, kept);
    return kept;
  }

  private conv(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    const dilation = this.cfg['dilationRate'] as number | number[];
    const strides = this.cfg['strides'] as number | number[];
    const padding = this.cfg['padding'] as 'same' | 'valid';
    if (this.app.linear === 'conv2d') {
      return tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides as [number, number], padding, 'NHWC', dilation as [number, number]);
    }
    const one = (v: number | number[]) => (Array.isArray(v) ? v[0]! : v);
    return tf.conv1d(x as tf.Tensor3D, kernel as tf.Tensor3D, one(strides), padding, 'NWC', one(dilation));
  }

  private dense(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    const inDim = kernel.shape[0]!;
    const units = kernel.shape[1]!;
    const lead = x.shape.slice(0, -1);
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, inDim]), kernel), [...lead, units]);
  }

  /** The bias added to a contribution (or the contribution itself when the layer has no bias). */
  withBias(z: tf.Tensor): tf.Tensor {
    return this.bias ? tf.add(z, this.bias) : z;
  }

  /** The pre-activation with every channel: linear(x) + bias. */
  full(x: tf.Tensor): tf.Tensor {
    const z = this.app.linear === 'dense' ? this.dense(x, this.kernel) : this.conv(x, this.kernel);
    return this.bias ? tf.add(z, this.bias) : z;
  }

  /** Channel c's share of the pre-activation (`prepared` from {@link prepare}). */
  contribution(prepared: PreparedInput, c: number): tf.Tensor {
    const { shape } = prepared;
    const rows = this.indices[c]!;
    const column = gatherColumns(prepared.data, shape[shape.length - 1]!, rows);
    const lead = shape.slice(0, -1);
    if (this.app.linear === 'dense' && rows.length > 1) {
      const xc = tf.tensor2d(column, [column.length / rows.length, rows.length]); // [examples·positions, n]
      const units = this.kernel.shape[1]!;
      const z = tf.matMul(xc, this.kernelSlice(c)); // [.., units]
      return lead.length === 1 ? z : tf.reshape(z, [...lead, units]);
    }
    const xc = tf.tensor(column, [...lead, rows.length]); // [..., n]
    if (this.app.linear === 'dense') return tf.mul(xc, this.kernelSlice(c)); // [..., units]
    return this.conv(xc, this.kernelSlice(c));
  }

  activate(z: tf.Tensor): tf.Tensor {
    return this.activation ? this.activation.apply(z) : z;
  }
}

/**
 * Bytes of channel contributions a batch keeps (per consumer application): the greedy oracle asks for each
 * channel's contribution hundreds of times, and recomputing it (a gather and a matmul) was most of its cost.
 */
const CONTRIBUTION_CACHE_BYTES = 64 * 2 ** 20;

/**
 * A consumer's pre-activation on one batch for a set of pruned channels, b + Σ over kept channels of their
 * contributions, reached from whichever known state needs the fewest channel contributions: the previous set's,
 * the bias alone, or the full pre-activation (one matmul over every channel).
 */
class PreActivation {
  private readonly prepared: PreparedInput;
  private full: tf.Tensor | null = null;
  private z: tf.Tensor | null = null;
  private set: Set<number> | null = null;
  private readonly contributions = new Map<number, tf.Tensor>();
  private cachedBytes = 0;

  constructor(private readonly math: ConsumerMath, private readonly x: tf.Tensor) {
    this.prepared = math.prepare(x);
  }

  /** Channel c's contribution on this batch, kept (within the budget) for the next sets. */
  private contribution(c: number): tf.Tensor {
    const cached = this.contributions.get(c);
    if (cached) return cached;
    const z = this.math.contribution(this.prepared, c);
    if (this.cachedBytes + 4 * z.size <= CONTRIBUTION_CACHE_BYTES) {
      this.contributions.set(c, tf.keep(z));
      this.cachedBytes += 4 * z.size;
    }
    return z;
  }

  update(pruned: readonly number[]): tf.Tensor {
    const channels = this.math.channels;
    const next = new Set(pruned);
    const previous = this.set;
    const added = previous ? pruned.filter((c) => !previous.has(c)) : [];
    const removed = previous ? [...previous].filter((c) => !next.has(c)) : [];
    const kept = Array.from({ length: channels }, (_, c) => c).filter((c) => !next.has(c));
    const costCurrent = previous ? added.length + removed.length : Infinity;
    // The bias plus the kept channels is the whole pre-activation only when the group fills the consumer's input.
    const costBias = kept.length > 0 && this.math.fillsInput ? kept.length : Infinity;
    // One matmul over every channel costs about as much as a quarter of the per-channel ones.
    const costFull = next.size + (this.full ? 0 : channels / 4);
    // A tensor this state keeps (the full or previous pre-activation, a cached contribution) is returned as a copy.
    const own = (acc: tf.Tensor) => (acc === this.full || acc === this.z || this.contributions.get(kept[0]!) === acc ? tf.clone(acc) : acc);
    const z = tf.tidy(() => {
      if (costFull <= costCurrent && costFull <= costBias) {
        this.full ??= tf.keep(this.math.full(this.x));
        let acc = this.full;
        for (const c of pruned) acc = tf.sub(acc, this.contribution(c));
        return own(acc);
      }
      if (costCurrent <= costBias) {
        let acc = this.z!;
        for (const c of added) acc = tf.sub(acc, this.contribution(c));
        for (const c of removed) acc = tf.add(acc, this.contribution(c));
        return own(acc);
      }
      let acc = this.math.withBias(this.contribution(kept[0]!));
      for (const c of kept.slice(1)) acc = tf.add(acc, this.contribution(c));
      return own(acc);
    });
    if (this.z) this.z.dispose();
    // Kept: update() runs inside the caller's per-set tidy, which would otherwise free it.
    this.z = tf.keep(z);
    this.set = next;
    return z;
  }

  dispose(): void {
    tf.dispose([...(this.full ? [this.full] : []), ...(this.z ? [this.z] : []), ...this.contributions.values()]);
    this.contributions.clear();
  }
}

/**
 * What every batch of an evaluation shares: the consumers' weights and which values are computed once per batch
 * (from the model inputs, or from values fed at a cut such as precomputed features) and which ops run per set.
 */
export class ChannelSetRunner {
  private readonly fast: boolean;
  private readonly maths: ConsumerMath[];
  /** Ops run for each set (the tail after the consumers, or the consumers and everything after them). */
  readonly perSetOps: number[];
  /** Values computed once per batch, and the ops computing them from the fed values. */
  readonly upstreamList: number[];
  readonly upstreamOps: number[];

  /** `fed`: the values given per batch (default the model inputs). */
  constructor(readonly plan: MaskPlan, fed: ReadonlySet<number> = new Set(plan.graph.inputs)) {
    const { graph } = plan;
    this.fast = plan.path === 'linear-consumer';
    const consumerOps = new Set(plan.consumers.map((c) => c.op.index));
    // Nothing before the consumers changes with the mask: their inputs (and whatever the ops run per set read from
    // outside) are computed once per batch.
    this.perSetOps = this.fast ? plan.affected.filter((o) => !consumerOps.has(o)) : plan.affected;
    const produced = new Set(this.perSetOps.flatMap((o) => graph.ops[o]!.outputs));
    if (this.fast) plan.consumers.forEach((c) => produced.add(c.op.outputs[0]!));
    const upstream = new Set<number>();
    for (const o of this.perSetOps) for (const v of graph.ops[o]!.inputs) if (!produced.has(v)) upstream.add(v);
    if (this.fast) plan.consumers.forEach((c) => upstream.add(c.input));
    if (!produced.has(plan.output)) upstream.add(plan.output);
    this.upstreamList = [...upstream];
    this.upstreamOps = opsFor(graph, this.upstreamList, fed);
    this.maths = this.fast ? plan.consumers.map((app) => new ConsumerMath(app, plan.channels)) : [];
  }

  /** Computes one batch's upstream values from the fed values (which it disposes) and keeps them for its sets. */
  prepare(feeds: ReadonlyMap<number, tf.Tensor>): BatchState {
    const { graph } = this.plan;
    const kept = tf.tidy(() => {
      const values: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
      feeds.forEach((t, v) => (values[v] = t));
      runOps(graph, this.upstreamOps, values);
      // A fed value kept as is is cloned, so the batch owns every tensor it holds.
      return this.upstreamList.map((v) => (feeds.get(v) === values[v] ? tf.clone(values[v]!) : values[v]!));
    });
    tf.dispose([...feeds.values()]);
    const base: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
    this.upstreamList.forEach((v, i) => (base[v] = kept[i]));
    const state = this.maths.map((m, j) => new PreActivation(m, base[this.plan.consumers[j]!.input]!));
    return new BatchState(this.plan, this.perSetOps, this.maths, kept, base, state);
  }

  dispose(): void {
    this.maths.forEach((m) => m.dispose());
  }
}

/** One batch's upstream values, kept while sets are evaluated on it; each set starts from the previous set's state. */
export class BatchState {
  constructor(
    private readonly plan: MaskPlan,
    private readonly perSetOps: readonly number[],
    private readonly maths: readonly ConsumerMath[],
    private readonly kept: tf.Tensor[],
    private readonly base: ReadonlyArray<tf.Tensor | undefined>,
    private readonly state: PreActivation[],
  ) {}

  /** The chosen output on this batch with `set` pruned (a new tensor, disposed by the caller). */
  evaluate(set: readonly number[]): tf.Tensor {
    const { plan, base } = this;
    const { graph } = plan;
    return tf.tidy(() => {
      const values = [...base];
      if (plan.path === 'linear-consumer') {
        this.maths.forEach((m, j) => {
          values[plan.consumers[j]!.op.outputs[0]!] = m.activate(this.state[j]!.update(set));
        });
        runOps(graph, this.perSetOps, values);
      } else {
        // Each consumer application runs on its input with the pruned entries zeroed.
        runOps(graph, this.perSetOps, values, (o) => {
          const apps = plan.consumers.filter((c) => c.op.index === o);
          if (apps.length === 0) return null;
          const local = [...values];
          for (const app of apps) local[app.input] = maskConsumerInput(app, values[app.input]!, set);
          return runOp(graph.ops[o]!, local);
        });
      }
      const result = values[plan.output]!;
      return result === base[plan.output] ? tf.clone(result) : result;
    });
  }

  dispose(): void {
    tf.dispose(this.kept);
    for (const st of this.state) st.dispose();
  }
}

/**
 * The chosen model output for each channel set of the plan's group (what `applyChannelMask` and `pruneChannels`
 * give), computed without copying the model: what is upstream of the group's consumers once per batch, then per
 * set either the consumers' contribution updates and the tail (fast path) or the consumers on masked inputs and
 * everything after them (upstream path). Batch by batch, so only one batch's upstream values are held at a time.
 */
export async function evaluateChannelSets(
  plan: MaskPlan,
  inputs: readonly tf.Tensor[],
  sets: ReadonlyArray<readonly number[]>,
  options: EvaluateSetsOptions,
): Promise<ChannelSetPredictions> {
  const { graph } = plan;
  const count = inputs[0]!.shape[0]!;
  const batches = Math.ceil(count / options.batchSize);
  const predictions: Float32Array[] = [];
  let outputSize = 0;
  const runner = new ChannelSetRunner(plan);
  try {
    for (let b = 0; b < batches; b++) {
      const start = b * options.batchSize;
      const end = Math.min(count, start + options.batchSize);
      const batch = runner.prepare(new Map(graph.inputs.map((v, i) => [v, tf.slice(inputs[i]!, start, end - start)])));
      try {
        for (const [s, set] of sets.entries()) {
          const out = batch.evaluate(set);
          if (b === 0 && s === 0) outputSize = out.size / (end - start);
          if (predictions[s] === undefined) predictions[s] = new Float32Array(count * outputSize);
          const data = out.dataSync() as Float32Array;
          predictions[s]!.set(data, start * outputSize);
          out.dispose();
          options.onStep?.(s, b, batches, predictions[s]!, outputSize);
        }
      } finally {
        batch.dispose();
      }
      await yieldToEventLoop();
    }
  } finally {
    runner.dispose();
  }
  return { predictions, outputSize };
}
