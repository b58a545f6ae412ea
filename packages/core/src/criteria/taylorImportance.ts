import * as tf from '@tensorflow/tfjs-core';
import { runOp } from '../graph/flatGraph';
import type { ImportanceCriterion } from './importance';
import { opsFor } from '../graph/flatGraph';
import { planSweep } from '../evaluation/sweepPlan';

/** A loss on one batch: labels and the model's output in, per-example losses (or their sum) out. */
export type LossFunction = (labels: tf.Tensor, output: tf.Tensor) => tf.Tensor;

const EPSILON = 1e-7;

/**
 * The default loss: binary cross-entropy on a single probability output, or categorical cross-entropy on a
 * probability vector with class-index or one-hot labels, per example.
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

/**
 * First-order Taylor importance (Molchanov et al. 2017): for each image (each application of a shared layer counts
 * as one) and channel, |mean over positions of activation × ∂loss/∂activation|, averaged over images. It estimates
 * how much the loss would change if the channel were zeroed. The activation is the layer's output; for a linear
 * layer followed by a ReLU this equals the product taken after the ReLU. Needs data and labels.
 */
export function taylorImportance(options: TaylorOptions = {}): ImportanceCriterion {
  const loss = options.loss ?? defaultLoss;
  return {
    name: 'taylor',
    requires: ['data', 'labels'],
    async score(ctx) {
      const plan = planSweep(ctx.model, ctx.layerPath, options.output ?? 0);
      const { graph } = plan;
      const affected = new Set(plan.affected);
      const targetSet = new Set(plan.targets);
      for (const t of plan.targets) {
        if (graph.ops[t]!.inputs.some((v) => graph.producer[v]! >= 0 && affected.has(graph.producer[v]!))) {
          throw new Error(`criterion 'taylor' on layer '${plan.layerPath}': the layer is applied to its own output, which this criterion does not support`);
        }
      }
      const inputs = Array.isArray(ctx.data!.inputs) ? [...(ctx.data!.inputs as readonly tf.Tensor[])] : [ctx.data!.inputs as tf.Tensor];
      const labels = ctx.labels!;
      const count = inputs[0]!.shape[0]!;
      const perExample = labels.length / count;
      const tailOps = plan.affected.filter((o) => !targetSet.has(o));
      const activations = plan.targets.map((t) => graph.ops[t]!.outputs[0]!);
      const produced = new Set([...tailOps.flatMap((o) => graph.ops[o]!.outputs), ...activations]);
      const upstream = new Set<number>(activations);
      for (const o of tailOps) for (const v of graph.ops[o]!.inputs) if (!produced.has(v)) upstream.add(v);
      if (!produced.has(plan.output)) {
        throw new Error(`criterion 'taylor' on layer '${plan.layerPath}': the chosen output does not depend on the layer`);
      }
      const upstreamList = [...upstream];
      const upstreamOps = opsFor(graph, upstreamList);
      const channels = plan.layout.channels;
      const total = new Float64Array(channels);
      let images = 0;
      for (let start = 0; start < count; start += ctx.batchSize) {
        const end = Math.min(count, start + ctx.batchSize);
        const kept = tf.tidy(() => {
          const values: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
          graph.inputs.forEach((v, i) => (values[v] = tf.slice(inputs[i]!, start, end - start)));
          for (const o of upstreamOps) {
            const outs = runOp(graph.ops[o]!, values);
            graph.ops[o]!.outputs.forEach((v, i) => (values[v] = outs[i]));
          }
          return upstreamList.map((v) => values[v]!);
        });
        const perImage = tf.tidy(() => {
          const base: Array<tf.Tensor | undefined> = new Array(graph.valueCount);
          upstreamList.forEach((v, i) => (base[v] = kept[i]));
          const acts = activations.map((v) => base[v]!);
          const y = tf.tensor(labels.subarray(start * perExample, end * perExample), perExample === 1 ? [end - start] : [end - start, perExample]);
          const f = (...xs: tf.Tensor[]): tf.Scalar => {
            const values = [...base];
            activations.forEach((v, i) => (values[v] = xs[i]));
            for (const o of tailOps) {
              const outs = runOp(graph.ops[o]!, values);
              graph.ops[o]!.outputs.forEach((v, i) => (values[v] = outs[i]));
            }
            return tf.sum(loss(y, values[plan.output]!));
          };
          const grads = tf.grads(f)(acts);
          // Per application: [B, C] = |mean over positions of a·g|, then stacked over applications.
          return tf.concat(
            acts.map((a, i) => {
              const product = tf.mul(a, grads[i]!);
              const axis = plan.channelAxis < 0 ? product.rank - 1 : plan.channelAxis;
              const spatial = Array.from({ length: product.rank }, (_, d) => d).filter((d) => d !== 0 && d !== axis);
              const mean = spatial.length > 0 ? tf.mean(product, spatial) : product;
              return tf.abs(mean);
            }),
            0,
          ); // [applications·B, C]
        });
        const sums = tf.tidy(() => tf.sum(perImage, 0));
        const data = sums.dataSync();
        for (let c = 0; c < channels; c++) total[c]! += data[c]!;
        images += perImage.shape[0]!;
        tf.dispose([...kept, perImage, sums]);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return total.map((v) => v / images);
    },
  };
}
