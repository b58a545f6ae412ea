import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { channelLayout, type ChannelLayout } from '../masks/channelWeights';
import { downstreamOps, flattenModel, type FlatGraph, type GraphOp } from '../graph/flatGraph';

type Layer = layers.Layer;

/** Where the pruned channels sit in a consumer's input: along the last axis, or flattened NHWC ((h·W + w)·C + c). */
export type ChannelPlacement = 'last' | 'flat';

/** One application of the first weighted, linear layer after the pruned layer. */
export interface ConsumerApplication {
  op: GraphOp;
  /** The value it reads (the pruned layer's output after the element-wise chain). */
  input: number;
  placement: ChannelPlacement;
  kind: 'dense' | 'conv1d' | 'conv2d';
  layout: ChannelLayout;
}

/** How to evaluate a model with some channels of one layer zeroed, without copying the model. */
export interface SweepPlan {
  graph: FlatGraph;
  /** The pruned layer's canonical path, instance and channels. */
  layerPath: string;
  layer: Layer;
  layout: ChannelLayout;
  /** The ops applying the pruned layer (one per application). */
  targets: number[];
  /** Axis of the channels in the pruned layer's output. */
  channelAxis: number;
  /** What a pruned channel outputs: the layer's activation of 0. */
  prunedValue: number;
  /** Every op downstream of a target, targets included. */
  affected: number[];
  /** The value the caller reads (one model output). */
  output: number;
  /** `linear-consumer` when the fast path applies, else `upstream`. */
  path: 'linear-consumer' | 'upstream';
  /** Why (for `upstream`: what kept the fast path out). */
  note: string;
  /** Fast path only: the consumer applications, the element-wise ops before them, and the ops after them. */
  consumers: ConsumerApplication[];
  region: Set<number>;
  tail: number[];
}

const ZERO_PRESERVING_ACTIVATIONS = new Set(['linear', 'relu', 'relu6', 'elu', 'selu', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new', 'softsign']);
const IDENTITY_AT_INFERENCE = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
const ZERO_PRESERVING_LAYERS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'PReLU']);
const SPATIAL = new Set([
  'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D',
  'ZeroPadding2D', 'Cropping2D', 'UpSampling2D',
]);
const GLOBAL_POOLING = new Set(['GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D']);

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function activationName(layer: Layer): string {
  const a = config(layer)['activation'];
  return typeof a === 'string' ? a : 'linear';
}

/** The value a channel with zero kernel and bias outputs: the layer's activation at 0. */
function activationAtZero(layer: Layer): number {
  const activation = (layer as unknown as { activation?: { apply(x: tf.Tensor): tf.Tensor } }).activation;
  if (!activation) return 0;
  return tf.tidy(() => activation.apply(tf.zeros([1])).dataSync()[0]!);
}

/**
 * Plans the evaluation of a model with channels of `layerPath` zeroed: finds every application of the layer and,
 * where the layers between it and its first weighted consumer keep channels apart and map 0 to 0, the exact fast path.
 */
export function planSweep(model: LayersModel, layerPath: string, outputIndex = 0): SweepPlan {
  const entry = resolveLayerEntry(model, layerPath);
  const layout = channelLayout(entry.layer, entry.path);
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex >= model.outputs.length) {
    throw new Error(`output ${outputIndex} is not an output of model '${model.name}' (it has ${model.outputs.length})`);
  }
  const graph = flattenModel(model);
  const targets = graph.ops.filter((op) => op.layer === entry.layer).map((op) => op.index);
  if (targets.length === 0) throw new Error(`layer '${entry.path}' is not applied anywhere in model '${model.name}'`);
  const channelsFirst = config(entry.layer)['dataFormat'] === 'channelsFirst';
  const plan: SweepPlan = {
    graph,
    layerPath: entry.path,
    layer: entry.layer,
    layout,
    targets,
    channelAxis: channelsFirst ? 1 : -1,
    prunedValue: activationAtZero(entry.layer),
    affected: downstreamOps(graph, targets),
    output: graph.outputs[outputIndex]!,
    path: 'upstream',
    note: '',
    consumers: [],
    region: new Set(),
    tail: [],
  };
  const reason = findFastPath(plan, channelsFirst);
  if (reason !== null) {
    plan.path = 'upstream';
    plan.note = `upstream of '${entry.path}' computed once; everything after it run for each K (fast path not applicable: ${reason})`;
    plan.consumers = [];
    plan.region = new Set();
  } else {
    plan.path = 'linear-consumer';
    const names = [...new Set(plan.consumers.map((c) => c.op.path))].join(', ');
    plan.note = `upstream of '${names}' computed once; per-channel contributions subtracted from its pre-activation; only the layers after it run for each K`;
    const skip = new Set([...plan.targets, ...plan.region, ...plan.consumers.map((c) => c.op.index)]);
    plan.tail = plan.affected.filter((o) => !skip.has(o));
  }
  return plan;
}

/** Fills the fast-path fields of `plan`, or returns why the fast path does not apply. */
function findFastPath(plan: SweepPlan, channelsFirst: boolean): string | null {
  const { graph, layerPath } = plan;
  if (channelsFirst) return `'${layerPath}' uses channelsFirst`;
  if (plan.prunedValue !== 0) return `'${layerPath}' has activation '${activationName(plan.layer)}', which maps 0 to ${plan.prunedValue}`;
  const targetSet = new Set(plan.targets);
  for (const t of plan.targets) {
    if (downstreamOps(graph, [t]).some((o) => o !== t && targetSet.has(o))) return `'${layerPath}' is applied to its own output`;
  }
  const channels = plan.layout.channels;
  for (const t of plan.targets) {
    const stack: Array<{ value: number; placement: ChannelPlacement }> = [{ value: graph.ops[t]!.outputs[0]!, placement: 'last' }];
    while (stack.length > 0) {
      const { value, placement } = stack.pop()!;
      if (graph.outputs.includes(value)) return `the output of '${graph.ops[graph.producer[value]!]!.path}' is a model output`;
      const rank = graph.shapes[value]!.length;
      for (const c of graph.consumers[value]!) {
        const op = graph.ops[c]!;
        const className = op.layer.getClassName();
        const where = `'${op.path}' (${className}) follows '${layerPath}'`;
        if (op.inputs.length !== 1 || op.outputs.length !== 1) return `${where} and joins several tensors`;
        const cfg = config(op.layer);
        const channelsLast = cfg['dataFormat'] === undefined || cfg['dataFormat'] === 'channelsLast';
        const next = op.outputs[0]!;
        if (IDENTITY_AT_INFERENCE.has(className) || ZERO_PRESERVING_LAYERS.has(className)) {
          stack.push({ value: next, placement });
        } else if (className === 'Activation') {
          const name = activationName(op.layer);
          if (!ZERO_PRESERVING_ACTIVATIONS.has(name)) return `${where} with activation '${name}', which does not keep a zero channel at 0 or mixes channels`;
          stack.push({ value: next, placement });
        } else if (SPATIAL.has(className) || GLOBAL_POOLING.has(className)) {
          if (!channelsLast) return `${where} with channelsFirst`;
          if (placement !== 'last') return `${where} after a Flatten`;
          stack.push({ value: next, placement: 'last' });
        } else if (className === 'Flatten') {
          if (placement === 'flat' || rank <= 2) stack.push({ value: next, placement });
          else if (!channelsLast) return `${where} with channelsFirst`;
          else stack.push({ value: next, placement: 'flat' });
        } else if (className === 'Dense') {
          const input = graph.shapes[value]!;
          if (placement === 'flat' && (input.length !== 2 || (input[1] ?? 0) % channels !== 0)) return `${where} with an input that is not a flattened [.., ${channels}] map`;
          plan.consumers.push({ op, input: value, placement, kind: 'dense', layout: channelLayout(op.layer, op.path) });
          plan.region.add(c);
        } else if ((className === 'Conv2D' || className === 'Conv1D') && placement === 'last') {
          if (!channelsLast) return `${where} with channelsFirst`;
          if (cfg['padding'] === 'causal') return `${where} with causal padding`;
          const kind = className === 'Conv2D' ? 'conv2d' : 'conv1d';
          plan.consumers.push({ op, input: value, placement, kind, layout: channelLayout(op.layer, op.path) });
          plan.region.add(c);
        } else {
          return `${where} before any Dense or Conv consumer and is not an element-wise layer the fast path knows`;
        }
        if (!plan.consumers.some((k) => k.op.index === c)) plan.region.add(c);
      }
    }
  }
  // The region so far holds the element-wise ops and the consumers; keep only the element-wise ones.
  for (const k of plan.consumers) plan.region.delete(k.op.index);
  if (plan.consumers.length === 0) return `no Dense or Conv layer reads '${layerPath}'`;
  return null;
}
