import * as tf from '@tensorflow/tfjs-core';
import { opsFor, runOp, type FlatGraph } from './flatGraph';
import type { ConsumerApplication, SweepPlan } from './sweepPlan';

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

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs `ops` in order, reading and writing `values` (which must hold every value they read from outside). */
function runOps(graph: FlatGraph, ops: readonly number[], values: Array<tf.Tensor | undefined>, override?: (op: number) => tf.Tensor[] | null): void {
  for (const o of ops) {
    const op = graph.ops[o]!;
    const outs = override?.(o) ?? runOp(op, values);
    op.outputs.forEach((v, i) => (values[v] = outs[i]));
  }
}

/** 1 for kept channels, 0 for pruned, shaped to broadcast along the pruned layer's channel axis of a rank-`rank` output. */
function keepMask(plan: SweepPlan, set: readonly number[], rank: number): tf.Tensor {
  const keep = new Float32Array(plan.layout.channels).fill(1);
  for (const c of set) keep[c] = 0;
  const axis = plan.channelAxis < 0 ? rank + plan.channelAxis : plan.channelAxis;
  return tf.tensor(keep, Array.from({ length: rank }, (_, i) => (i === axis ? plan.layout.channels : 1)));
}

/** The pruned layer's output with the set's channels replaced by what a zeroed filter outputs. */
export function maskLayerOutput(plan: SweepPlan, output: tf.Tensor, set: readonly number[]): tf.Tensor {
  if (set.length === 0) return output;
  const keep = keepMask(plan, set, output.rank);
  const kept = tf.mul(output, keep);
  return plan.prunedValue === 0 ? kept : tf.add(kept, tf.mul(tf.sub(1, keep), plan.prunedValue));
}

/** A consumer's linear part (no bias) on an input holding only some channels, or all of them. */
class ConsumerMath {
  private readonly kernel: tf.Tensor;
  private readonly bias: tf.Tensor | null;
  /** Dense on flattened input: the kernel as [C, S, units], so channel c is one contiguous slice. */
  private readonly kernelByChannel: tf.Tensor | null;
  private readonly activation: { apply(x: tf.Tensor): tf.Tensor } | null;
  private readonly cfg: Record<string, unknown>;

  constructor(readonly app: ConsumerApplication, readonly channels: number) {
    const weights = app.op.layer.getWeights();
    this.kernel = tf.keep(weights[app.layout.kernel.index]!.clone());
    this.bias = app.layout.bias ? tf.keep(weights[app.layout.bias.index]!.clone()) : null;
    this.cfg = app.op.layer.getConfig() as Record<string, unknown>;
    this.activation = (app.op.layer as unknown as { activation?: { apply(x: tf.Tensor): tf.Tensor } }).activation ?? null;
    if (app.kind === 'dense' && app.placement === 'flat') {
      const [rows, units] = this.kernel.shape as [number, number];
      // rows = S·C in NHWC order (row = s·C + c) → [S, C, units] → [C, S, units]
      this.kernelByChannel = tf.tidy(() => tf.keep(tf.transpose(tf.reshape(this.kernel, [rows / channels, channels, units]), [1, 0, 2])));
    } else {
      this.kernelByChannel = null;
    }
  }

  dispose(): void {
    tf.dispose([this.kernel, ...(this.bias ? [this.bias] : []), ...(this.kernelByChannel ? [this.kernelByChannel] : [])]);
  }

  /** Per-batch view of the input that makes one channel's slice cheap. */
  prepare(x: tf.Tensor): tf.Tensor {
    if (this.app.kind === 'dense' && this.app.placement === 'flat') {
      const [batch, width] = x.shape as [number, number];
      return tf.transpose(tf.reshape(x, [batch, width / this.channels, this.channels]), [2, 0, 1]); // [C, batch, S]
    }
    return x;
  }

  private conv(x: tf.Tensor, kernel: tf.Tensor): tf.Tensor {
    const dilation = this.cfg['dilationRate'] as number | number[];
    const strides = this.cfg['strides'] as number | number[];
    const padding = this.cfg['padding'] as 'same' | 'valid';
    if (this.app.kind === 'conv2d') {
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

  /** The pre-activation with every channel: linear(x) + bias. */
  full(x: tf.Tensor): tf.Tensor {
    const z = this.app.kind === 'dense' ? this.dense(x, this.kernel) : this.conv(x, this.kernel);
    return this.bias ? tf.add(z, this.bias) : z;
  }

  /** Channel c's share of the pre-activation (`prepared` from {@link prepare}). */
  contribution(prepared: tf.Tensor, c: number): tf.Tensor {
    if (this.app.kind === 'dense' && this.app.placement === 'flat') {
      const [, batch, s] = prepared.shape as [number, number, number];
      const units = this.kernelByChannel!.shape[2]!;
      const xc = tf.reshape(tf.slice(prepared, [c, 0, 0], [1, batch, s]), [batch, s]); // [batch, S]
      const kc = tf.reshape(tf.slice(this.kernelByChannel!, [c, 0, 0], [1, s, units]), [s, units]); // [S, units]
      return tf.matMul(xc, kc); // [batch, units]
    }
    const rank = prepared.rank;
    const begin = Array.from({ length: rank }, (_, i) => (i === rank - 1 ? c : 0));
    const size = prepared.shape.map((d, i) => (i === rank - 1 ? 1 : d));
    const xc = tf.slice(prepared, begin, size); // [..., 1]
    if (this.app.kind === 'dense') {
      const units = this.kernel.shape[1]!;
      return tf.mul(xc, tf.reshape(tf.slice(this.kernel, [c, 0], [1, units]), [units])); // [..., units]
    }
    const k = this.kernel;
    const kBegin = k.shape.map((_, i) => (i === k.rank - 2 ? c : 0));
    const kSize = k.shape.map((d, i) => (i === k.rank - 2 ? 1 : d));
    return this.conv(xc, tf.slice(k, kBegin, kSize));
  }

  activate(z: tf.Tensor): tf.Tensor {
    return this.activation ? this.activation.apply(z) : z;
  }
}

/**
 * The chosen model output for each channel set (channels of the plan's layer zeroed as `applyChannelMask` would),
 * computed without copying the model: what is upstream of the layer once per batch, then per set either only the
 * tail after the first weighted consumer (fast path) or everything after the layer (upstream path).
 */
export async function evaluateChannelSets(
  plan: SweepPlan,
  inputs: readonly tf.Tensor[],
  sets: ReadonlyArray<readonly number[]>,
  options: EvaluateSetsOptions,
): Promise<ChannelSetPredictions> {
  const { graph } = plan;
  const count = inputs[0]!.shape[0]!;
  const batches = Math.ceil(count / options.batchSize);
  const predictions: Float32Array[] = [];
  let outputSize = 0;
  const affected = new Set(plan.affected);
  const fast = plan.path === 'linear-consumer';
  const maths = fast ? plan.consumers.map((app) => new ConsumerMath(app, plan.layout.channels)) : [];
  try {
    // Values computed once per batch: for the fast path, the consumers' inputs and whatever the tail reads from
    // outside; for the upstream path, the layer's outputs and whatever the affected ops read from outside.
    const perSetOps = fast ? plan.tail : plan.affected.filter((o) => !(plan.targets.includes(o) && !readsAffected(plan, o, affected)));
    const produced = new Set(perSetOps.flatMap((o) => graph.ops[o]!.outputs));
    if (fast) plan.consumers.forEach((c) => produced.add(c.op.outputs[0]!));
    const upstream = new Set<number>();
    for (const o of perSetOps) for (const v of graph.ops[o]!.inputs) if (!produced.has(v)) upstream.add(v);
    if (fast) plan.consumers.forEach((c) => upstream.add(c.input));
    else plan.targets.filter((t) => !perSetOps.includes(t)).forEach((t) => upstream.add(graph.ops[t]!.outputs[0]!));
    if (!produced.has(plan.output)) upstream.add(plan.output);
    const upstreamList = [...upstream];
    const upstreamOps = opsFor(graph, upstreamList);

    for (let b = 0; b < batches; b++) {
      const start = b * options.batchSize;
      const end = Math.min(count, start + options.batchSize);
      const kept = tf.tidy(() => {
        const values: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
        graph.inputs.forEach((v, i) => (values[v] = tf.slice(inputs[i]!, start, end - start)));
        runOps(graph, upstreamOps, values);
        return upstreamList.map((v) => values[v]!);
      });
      const base: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
      upstreamList.forEach((v, i) => (base[v] = kept[i]));
      const state = fast ? maths.map((m, j) => {
        const x = base[plan.consumers[j]!.input]!;
        const [prepared, full] = tf.tidy(() => [m.prepare(x), m.full(x)]);
        return { prepared: prepared!, full: full!, z: full!, set: new Set<number>() };
      }) : [];
      try {
        for (const [s, set] of sets.entries()) {
          const out = tf.tidy(() => {
            const values = [...base];
            if (fast) {
              maths.forEach((m, j) => {
                const st = state[j]!;
                const next = new Set(set);
                const added = set.filter((c) => !st.set.has(c));
                const removed = [...st.set].filter((c) => !next.has(c));
                // From the full pre-activation when that is fewer steps (keeps rounding from piling up), else incrementally.
                const fresh = set.length <= added.length + removed.length;
                let z = fresh ? st.full : st.z;
                for (const c of fresh ? set : added) z = tf.sub(z, m.contribution(st.prepared, c));
                if (!fresh) for (const c of removed) z = tf.add(z, m.contribution(st.prepared, c));
                if (st.z !== st.full) tf.dispose(st.z);
                st.z = z === st.full ? z : tf.keep(z);
                st.set = next;
                values[plan.consumers[j]!.op.outputs[0]!] = m.activate(z);
              });
              runOps(graph, plan.tail, values);
            } else {
              // Applications computed once are masked before anything reads them; the others are masked as they run.
              for (const t of plan.targets) {
                if (perSetOps.includes(t)) continue;
                const v = graph.ops[t]!.outputs[0]!;
                values[v] = maskLayerOutput(plan, base[v]!, set);
              }
              runOps(graph, perSetOps, values, (o) =>
                plan.targets.includes(o) ? [maskLayerOutput(plan, runOp(graph.ops[o]!, values)[0]!, set)] : null,
              );
            }
            const result = values[plan.output]!;
            return result === base[plan.output] ? tf.clone(result) : result;
          });
          if (b === 0 && s === 0) outputSize = out.size / (end - start);
          if (predictions[s] === undefined) predictions[s] = new Float32Array(count * outputSize);
          const data = out.dataSync() as Float32Array;
          predictions[s]!.set(data, start * outputSize);
          out.dispose();
          options.onStep?.(s, b, batches, predictions[s]!, outputSize);
        }
      } finally {
        tf.dispose(kept);
        for (const st of state) tf.dispose(st.z === st.full ? [st.prepared, st.full] : [st.prepared, st.full, st.z]);
      }
      await yieldToEventLoop();
    }
  } finally {
    maths.forEach((m) => m.dispose());
  }
  return { predictions, outputSize };
}

/** Whether op `o` reads a value produced by an affected op (a target applied downstream of another target). */
function readsAffected(plan: SweepPlan, o: number, affected: ReadonlySet<number>): boolean {
  const { graph } = plan;
  return graph.ops[o]!.inputs.some((v) => {
    const p = graph.producer[v]!;
    return p >= 0 && affected.has(p);
  });
}
