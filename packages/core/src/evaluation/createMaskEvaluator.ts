import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { checkPruned, type ChannelMask } from '../masks/channelMask';
import { checkBatchSize, inputList, labelArray, type EvalData } from './evalData';
import { ChannelSetRunner, yieldToEventLoop, type BatchState } from './evaluateChannelSets';
import { opsFor } from '../graph/flatGraph';
import { defaultMetric, type Metric } from './metrics';
import { planMasks, type MaskPlan } from './maskPlan';
import type { SweepPath } from './sweepTypes';

/**
 * Activations of one layer precomputed for a set of units (e.g. the test images), fed to the evaluator instead of
 * the model inputs: the pruned layer's output, or the output of a layer between it and its first weighted consumer
 * that keeps a zeroed channel at 0 (e.g. `encoder/pool2` for `encoder/conv2`).
 */
export interface PrecomputedFeatures {
  /** The layer whose output these are (`pool2` or `encoder/pool2`). */
  layer: string;
  /** Its output for every unit, [units, ...shape]; read while the evaluator is created, owned by the caller. */
  values: tf.Tensor;
  /**
   * Per model input, the unit of each example: needed when the layer sits in a nested model applied to several
   * inputs (a pair model's encoder: example i reads units `unitOfExample[0][i]` and `unitOfExample[1][i]`).
   * Omit it when the layer is applied once and units are the examples.
   */
  unitOfExample?: ReadonlyArray<ArrayLike<number>>;
}

/** The data a mask evaluator runs on: the model inputs, or precomputed features; labels for the metric. */
export type MaskEvaluatorData =
  | EvalData
  | {
      /** Precomputed activations fed in place of the model inputs. */
      features: PrecomputedFeatures;
      /** One label per example (as in {@link EvalData}); needed by the metric. */
      labels?: EvalData['labels'];
    };

/** Options of {@link createMaskEvaluator}. */
export interface MaskEvaluatorOptions {
  /** What to measure; default binary accuracy at 0.5 for a single-value output, arg-max accuracy otherwise. */
  metric?: Metric;
  /** Which model output is read (default 0). */
  output?: number;
  /** Examples per batch of the upstream pass and of each evaluation (default 500). */
  batchSize?: number;
  /** Called after each batch of the one-time upstream pass, with batches done and in all. */
  onProgress?: (done: number, total: number) => void;
}

/** One evaluation of a mask. */
export interface MaskEvaluation {
  /** The metric with the mask's channels zeroed. */
  metric: number;
  /** The chosen output for every example, row-major [count, outputSize]. */
  predictions: Float32Array;
}

/** A model with one layer's upstream computed once, evaluating any set of that layer's channels zeroed. */
export interface MaskEvaluator {
  /** The layer's canonical path (e.g. `encoder/conv2`). */
  layer: string;
  /** The layer's number of output channels P. */
  channels: number;
  /** Number of examples evaluated. */
  count: number;
  /** Values per example of the chosen output (1 for a single probability). */
  outputSize: number;
  /** The metric's name. */
  metricName: string;
  /** The metric of the unpruned model. */
  baseline: number;
  /** How masks are evaluated (see `SweepResult.path`) and why. */
  path: Exclude<SweepPath, 'naive'>;
  /** Why this path was taken (for `upstream`, what kept the faster path out). */
  note: string;
  /**
   * The metric and predictions with the given channels zeroed (as `applyChannelMask` would): pruned channel
   * indices, or a {@link ChannelMask}. Pruning every channel is allowed here (the layer then outputs its activation of 0).
   */
  evaluate(pruned: Iterable<number> | ChannelMask): MaskEvaluation;
  /** Frees the kept tensors; the evaluator cannot be used afterwards. */
  dispose(): void;
}

/**
 * Prepares exact masked evaluations of `model` for channel sets of `layer`: the part of the model that no mask
 * changes runs once here (from the model inputs, or from precomputed features), and each `evaluate` then runs
 * the exact fast path of `sweepChannels` (per-channel contributions at the first linear consumer, updated from
 * the previous mask, then the tail), or everything after the layer where that path does not apply.
 * Holds the upstream values of every example until `dispose()`.
 *
 * @param model - the model; it is not changed.
 * @param layer - the layer (any source of its group) whose channels are masked.
 * @param data - inputs and labels, or precomputed features of the layer.
 * @param options - `metric`, `output`, `batchSize`.
 * @returns An evaluator: `evaluate(pruned)` gives the metric for a channel set; `dispose()` frees it.
 *
 * @example
 * ```ts
 * import { createMaskEvaluator } from '@prune/core';
 *
 * const evaluator = await createMaskEvaluator(model, 'conv2', data);
 * console.log(evaluator.baseline, evaluator.evaluate([2, 9]).metric);
 * evaluator.dispose();
 * ```
 */
export async function createMaskEvaluator(
  model: LayersModel,
  layer: string,
  data: MaskEvaluatorData,
  options: MaskEvaluatorOptions = {},
): Promise<MaskEvaluator> {
  const caller = 'createMaskEvaluator';
  const plan = planMasks(model, layer, options.output ?? 0);
  const batchSize = checkBatchSize(options.batchSize, 500, caller);
  const feeder = 'features' in data ? featureFeeder(model, plan, data.features) : inputFeeder(model, plan, data);
  const { count } = feeder;
  const labels = labelArray({ inputs: [], labels: data.labels }, count, caller);
  const runner = new ChannelSetRunner(plan, new Set(feeder.fed));
  const batches: Array<{ state: BatchState; start: number; size: number }> = [];
  let disposed = false;
  const free = (): void => {
    disposed = true;
    batches.forEach((b) => b.state.dispose());
    runner.dispose();
    feeder.dispose();
  };
  try {
    if ('features' in data) checkFedRegion(plan, runner, feeder.fed, data.features.layer);
    const total = Math.ceil(count / batchSize);
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      batches.push({ state: runner.prepare(feeder.feeds(start, size)), start, size });
      options.onProgress?.(batches.length, total);
      if (batches.length < total) await yieldToEventLoop();
    }
  } catch (error) {
    free();
    throw error;
  }
  const channels = plan.channels;
  let outputSize = 0;
  const run = (set: readonly number[]): Float32Array => {
    let predictions = new Float32Array(0);
    for (const { state, start, size } of batches) {
      const out = state.evaluate(set);
      if (outputSize === 0) outputSize = out.size / size;
      if (predictions.length === 0) predictions = new Float32Array(count * outputSize);
      predictions.set(out.dataSync() as Float32Array, start * outputSize);
      out.dispose();
    }
    return predictions;
  };
  let baselinePredictions: Float32Array;
  try {
    baselinePredictions = run([]);
  } catch (error) {
    free();
    throw error;
  }
  const metric = options.metric ?? defaultMetric(outputSize);
  const score = (predictions: Float32Array): number => metric.compute(predictions, labels, outputSize);
  return {
    layer: plan.layer,
    channels,
    count,
    outputSize,
    metricName: metric.name,
    baseline: score(baselinePredictions),
    path: plan.path,
    note: plan.note,
    evaluate(pruned) {
      if (disposed) throw new Error(`${caller}: the evaluator of layer '${plan.layer}' was disposed`);
      const set = prunedList(plan, model, pruned);
      const predictions = run(set);
      return { metric: score(predictions), predictions };
    },
    dispose() {
      if (!disposed) free();
    },
  };
}

/** The pruned channels as distinct, checked indices (a mask must be of the evaluator's group). */
function prunedList(plan: MaskPlan, model: LayersModel, pruned: Iterable<number> | ChannelMask): number[] {
  if (Symbol.iterator in Object(pruned)) return checkPruned('evaluate', plan.layer, plan.channels, pruned as Iterable<number>, true);
  const mask = pruned as ChannelMask;
  if (mask.channels !== undefined && mask.channels !== plan.channels) {
    throw new Error(`evaluate: the mask of layer '${mask.layer}' has ${mask.channels} channels but layer '${plan.layer}' has ${plan.channels}`);
  }
  const layer = resolveLayerEntry(model, mask.layer).layer;
  if (!plan.group.sources.some((s) => s.layer === layer)) {
    throw new Error(`evaluate: the mask is for layer '${mask.layer}', which is not a source of the group of '${plan.layer}' (${plan.group.sources.map((s) => `'${s.path}'`).join(', ')})`);
  }
  return checkPruned('evaluate', mask.layer, plan.channels, mask.pruned, true);
}

/** Where a batch's values come from: the values it feeds to the graph, for examples start … start+size-1. */
interface Feeder {
  fed: number[];
  count: number;
  feeds(start: number, size: number): Map<number, tf.Tensor>;
  dispose(): void;
}

function inputFeeder(model: LayersModel, plan: MaskPlan, data: EvalData): Feeder {
  const inputs = inputList(model, data, 'createMaskEvaluator');
  const graphInputs = plan.graph.inputs;
  return {
    fed: graphInputs,
    count: inputs[0]!.shape[0]!,
    feeds: (start, size) => new Map(graphInputs.map((v, i) => [v, tf.slice(inputs[i]!, start, size)])),
    dispose: () => {},
  };
}

/** Feeds each application of the features' layer with the units its examples read. */
function featureFeeder(model: LayersModel, plan: MaskPlan, features: PrecomputedFeatures): Feeder {
  const where = `createMaskEvaluator: features of '${features.layer}'`;
  const { graph } = plan;
  const entry = resolveLayerEntry(model, features.layer);
  const ops = graph.ops.filter((op) => op.layer === entry.layer);
  if (ops.length === 0) throw new Error(`${where}: the layer is not applied anywhere in model '${model.name}'`);
  const values = features.values;
  if (values.isDisposed) throw new Error(`${where}: the values tensor is disposed`);
  const expected = graph.shapes[ops[0]!.outputs[0]!]!.slice(1);
  if (values.rank !== expected.length + 1 || expected.some((d, i) => d !== null && d !== values.shape[i + 1])) {
    throw new Error(`${where}: values have shape [${values.shape.join(', ')}] but the layer outputs [units, ${expected.join(', ')}]`);
  }
  const units = values.shape[0]!;
  const fed = ops.map((op) => op.outputs[0]!);
  if (features.unitOfExample === undefined) {
    if (ops.length > 1) {
      throw new Error(`${where}: the layer is applied ${ops.length} times; give unitOfExample (per model input, the unit of each example)`);
    }
    return { fed, count: units, feeds: (start, size) => new Map([[fed[0]!, tf.slice(values, start, size)]]), dispose: () => {} };
  }
  const rows = features.unitOfExample;
  if (rows.length !== model.inputs.length) {
    throw new Error(`${where}: unitOfExample has ${rows.length} rows but model '${model.name}' has ${model.inputs.length} inputs`);
  }
  const count = rows[0]!.length;
  rows.forEach((row, i) => {
    if (row.length !== count) throw new Error(`${where}: unitOfExample[${i}] has ${row.length} entries but unitOfExample[0] has ${count}`);
    for (let j = 0; j < row.length; j++) {
      const u = row[j]!;
      if (!Number.isInteger(u) || u < 0 || u >= units) throw new Error(`${where}: unitOfExample[${i}][${j}] = ${u} is outside the ${units} units`);
    }
  });
  if (count === 0) throw new Error(`${where}: unitOfExample holds no examples`);
  // Each application must read exactly one model input: its examples' units come from that input's row.
  const rowOf = ops.map((op) => {
    const read = new Set(opsFor(graph, [op.outputs[0]!]).flatMap((o) => graph.ops[o]!.inputs.filter((v) => graph.producer[v]! < 0)));
    if (read.size !== 1) throw new Error(`${where}: an application of the layer ('${op.path}') reads ${read.size} model inputs; each must read exactly one`);
    return graph.inputs.indexOf([...read][0]!);
  });
  const indices = rows.map((row) => tf.tensor1d(Int32Array.from(row), 'int32'));
  return {
    fed,
    count,
    feeds: (start, size) =>
      new Map(fed.map((v, a) => [v, tf.tidy(() => tf.gather(values, tf.slice(indices[rowOf[a]!]!, start, size)))])),
    dispose: () => tf.dispose(indices),
  };
}

/** Throws unless the fed values determine everything each evaluation needs (nothing before them changes with a mask). */
function checkFedRegion(plan: MaskPlan, runner: ChannelSetRunner, fed: readonly number[], layer: string): void {
  const { graph } = plan;
  const available = new Set(fed);
  const needed: number[] = [];
  for (const o of runner.upstreamOps) {
    needed.push(...graph.ops[o]!.inputs);
    graph.ops[o]!.outputs.forEach((v) => available.add(v));
  }
  for (const v of [...needed, ...runner.upstreamList]) {
    if (available.has(v)) continue;
    const p = graph.producer[v]!;
    const what = p < 0 ? `model input ${graph.inputs.indexOf(v)}` : `'${graph.ops[p]!.path}'`;
    throw new Error(
      `createMaskEvaluator: features of '${layer}' do not determine ${what}, which the evaluation needs; ` +
        `give features of a layer that every consumer of the group of '${plan.layer}' is computed from (${plan.consumers.map((c) => `'${c.op.path}'`).join(', ')})`,
    );
  }
}
