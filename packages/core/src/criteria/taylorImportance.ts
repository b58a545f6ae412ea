import * as tf from '@tensorflow/tfjs-core';
import { downstreamOps, flattenModel, opsFor, runOp, runOps, type FlatGraph } from '../graph/flatGraph';
import type { ImportanceCriterion, ScoringContext } from './importance';

/** A loss on one batch: labels and the model's output in, per-example losses (or their sum) out. */
export type LossFunction = (labels: tf.Tensor, output: tf.Tensor) => tf.Tensor;

const EPSILON = 1e-7;

/**
 * The default loss: binary cross-entropy on a single probability output, or categorical cross-entropy on a
 * probability vector with class-index or one-hot labels, per example.
 *
 * @param labels - class indices, one-hot rows, or 0/1 for a single probability output.
 * @param output - the model's output for the batch, probabilities.
 * @returns The loss of each example.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { defaultLoss } from '@prune/core';
 *
 * const loss = defaultLoss(tf.tensor1d([1, 0]), tf.tensor2d([[0.9], [0.2]]));
 * loss.print(); // binary cross-entropy per example: [0.105, 0.223]
 * ```
 */
export function defaultLoss(labels: tf.Tensor, output: tf.Tensor): tf.Tensor {
  const units = output.shape[output.rank - 1]!;
  const p = tf.clipByValue(output, EPSILON, 1 - EPSILON);
  if (units === 1) {
    const y = tf.reshape(labels, p.shape);
    return tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
  }
  const y = labels.size === output.size ? tf.reshape(labels, output.shape) : tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), units);
  return tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1));
}

/** Options of {@link taylorImportance}. */
export interface TaylorOptions {
  /** The loss whose gradient is taken (default {@link defaultLoss}); its values are summed over the batch. */
  loss?: LossFunction;
  /** Which model output the loss reads (default 0). */
  output?: number;
}

/** Runs `ops` on `values`, multiplying each source application's output by its per-image channel scale. */
function runScaled(graph: FlatGraph, ops: readonly number[], values: Array<tf.Tensor | undefined>, scaleOf: ReadonlyMap<number, tf.Tensor>): void {
  runOps(graph, ops, values, (o) => {
    const scale = scaleOf.get(o);
    if (scale === undefined) return null;
    const outs = runOp(graph.ops[o]!, values);
    const out = outs[0]!;
    outs[0] = tf.mul(out, tf.reshape(scale, [out.shape[0]!, ...Array.from({ length: out.rank - 2 }, () => 1), out.shape[out.rank - 1]!]));
    return outs;
  });
}

/** Σ over images and applications of |Σ positions a·∂L/∂a| / positions, per source and channel, for one batch. */
function batchScores(ctx: ScoringContext, graph: FlatGraph, plan: TaylorPlan, loss: LossFunction, start: number, end: number): Float64Array[] {
  const inputs = Array.isArray(ctx.data!.inputs) ? [...(ctx.data!.inputs as readonly tf.Tensor[])] : [ctx.data!.inputs as tf.Tensor];
  const count = inputs[0]!.shape[0]!;
  const perExample = ctx.labels!.length / count;
  const n = end - start;
  const sums = tf.tidy(() => {
    const base: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
    graph.inputs.forEach((v, i) => (base[v] = tf.slice(inputs[i]!, start, n)));
    runOps(graph, plan.upstreamOps, base);
    const y = tf.tensor(ctx.labels!.subarray(start * perExample, end * perExample), perExample === 1 ? [n] : [n, perExample]);
    const scales = plan.apps.map(() => tf.ones([n, ctx.channels]));
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      const values = [...base];
      runScaled(graph, plan.downstream, values, new Map(plan.apps.map((a, i) => [a.op, xs[i]!])));
      return tf.sum(loss(y, values[plan.output]!));
    };
    // ∂L/∂scale[b, c] = Σ positions a·∂L/∂a for image b: the total derivative, through every later source too.
    const grads = tf.grads(f)(scales);
    return plan.sources.map((_, s) => {
      const own = plan.apps.map((a, i) => (a.source === s ? tf.sum(tf.abs(tf.div(grads[i]!, a.positions)), 0) : null)).filter((t) => t !== null);
      return own.length === 1 ? own[0]! : tf.addN(own);
    });
  });
  const out = sums.map((t) => Float64Array.from(t.dataSync()));
  tf.dispose(sums);
  return out;
}

interface TaylorPlan {
  sources: string[];
  /** Each application of each source: its op, its source's index, and the positions its output averages over. */
  apps: { op: number; source: number; positions: number }[];
  downstream: number[];
  upstreamOps: number[];
  output: number;
}

function planTaylor(ctx: ScoringContext, graph: FlatGraph, output: number): TaylorPlan {
  if (!Number.isInteger(output) || output < 0 || output >= graph.outputs.length) {
    throw new Error(`criterion 'taylor' on layer '${ctx.layer}': output ${output} is not an output of the model (it has ${graph.outputs.length})`);
  }
  const apps = ctx.group.sources.flatMap((member, source) =>
    member.applications.map((a) => {
      const shape = graph.shapes[graph.ops[a.op]!.outputs[0]!]!;
      return { op: a.op, source, positions: (shape.slice(1, -1) as number[]).reduce((x, d) => x * d, 1) };
    }),
  );
  const downstream = downstreamOps(graph, apps.map((a) => a.op));
  const produced = new Set(downstream.flatMap((o) => graph.ops[o]!.outputs));
  if (!produced.has(graph.outputs[output]!)) {
    throw new Error(`criterion 'taylor' on layer '${ctx.layer}': the chosen output does not depend on the layer`);
  }
  const upstream = downstream.flatMap((o) => graph.ops[o]!.inputs).filter((v) => !produced.has(v));
  return { sources: ctx.group.sources.map((s) => s.path), apps, downstream, upstreamOps: opsFor(graph, upstream), output: graph.outputs[output]! };
}

/**
 * First-order Taylor importance (Molchanov et al. 2017) of a group: for each image (each application of a shared
 * layer counts as one) and channel, |mean over positions of a·∂loss/∂a| at each source's output a, averaged over
 * images and applications, then summed over the group's coupled sources. It estimates how much the loss would
 * change if the channel were zeroed. The gradient is the total one (through every later layer, coupled sources
 * included). For a linear layer followed by a ReLU the product equals the one taken after the ReLU. Needs data
 * and labels.
 *
 * @param options - `loss`: the loss whose change is estimated (default {@link defaultLoss}).
 *
 * @example
 * ```ts
 * import { scoreChannels, taylorImportance } from '@prune/core';
 *
 * // data needs labels: the loss is differentiated through the model.
 * const scores = await scoreChannels(taylorImportance(), { model, layer: 'conv2', data });
 * ```
 */
export function taylorImportance(options: TaylorOptions = {}): ImportanceCriterion {
  const loss = options.loss ?? defaultLoss;
  return {
    name: 'taylor',
    requires: ['data', 'labels'],
    async score(ctx) {
      const graph = flattenModel(ctx.model);
      const plan = planTaylor(ctx, graph, options.output ?? 0);
      const inputs = Array.isArray(ctx.data!.inputs) ? (ctx.data!.inputs as readonly tf.Tensor[]) : [ctx.data!.inputs as tf.Tensor];
      const count = inputs[0]!.shape[0]!;
      const totals = plan.sources.map(() => new Float64Array(ctx.channels));
      for (let start = 0; start < count; start += ctx.batchSize) {
        const scores = batchScores(ctx, graph, plan, loss, start, Math.min(count, start + ctx.batchSize));
        scores.forEach((s, i) => s.forEach((v, c) => (totals[i]![c]! += v)));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const result = new Float64Array(ctx.channels);
      totals.forEach((t, s) => {
        const images = count * plan.apps.filter((a) => a.source === s).length;
        t.forEach((v, c) => (result[c]! += v / images));
      });
      return result;
    },
  };
}
