import type { LayersModel } from '@tensorflow/tfjs-layers';
import { flattenModel, type FlatGraph } from '../graph/flatGraph';
import { layerSemantics } from '../graph/layerTable';
import type { Layer } from '../graph/modelTree';

/** Compute of one layer for one example, summed over every application of the layer in one model call. */
export interface LayerMacs {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** Its tfjs class name, e.g. 'Conv2D'. */
  className: string;
  /** Times the layer runs in one model call (a shared encoder's layers run once per branch). */
  applications: number;
  /** Multiply-accumulates: Conv/Dense/Depthwise/Separable kernels, plus one per element for BatchNormalization. */
  macs: number;
  /** 2·macs plus bias adds, activations, pooling window reads and merge operations. */
  flops: number;
  /** False for layers this count does not know (custom layers): their compute is left out. */
  counted: boolean;
}

/** Compute of one model call on one example (for a two-input model: one pair), in total and per layer. */
export interface MacCount {
  /** Multiply-accumulates of one model call on one example, summed over the layers. */
  macs: number;
  /** Floating-point operations of one model call on one example, summed over the layers. */
  flops: number;
  /** Per-layer counts (input layers left out), each layer once with its applications summed. */
  layers: LayerMacs[];
  /** Paths of layers whose compute is not counted (custom or unknown classes). */
  uncounted: string[];
}

/** The per-example shape of a value (batch axis dropped); unknown sizes are an error naming the layer. */
function exampleShape(graph: FlatGraph, value: number, where: string): number[] {
  const shape = graph.shapes[value]!;
  const dims = shape.slice(1);
  if (dims.some((d) => typeof d !== 'number')) {
    throw new Error(`countMacs: layer '${where}' has a tensor of unknown shape [${shape.map((d) => d ?? '?').join(', ')}]`);
  }
  return dims as number[];
}

/**
 * Counts the multiply-accumulates (MACs) and floating-point operations of one model call on ONE example (batch 1;
 * for a pair model, one pair), per layer and in total, from each layer class's cost in the layer table. A layer
 * applied several times (a shared encoder on both branches) counts once per application. MACs cover Conv1D/2D,
 * Conv2DTranspose, DepthwiseConv2D, SeparableConv2D and Dense kernels, plus one per element for
 * BatchNormalization (folded to scale and shift); flops are 2·MACs plus bias adds, activations (one per element),
 * pooling (one per window element read) and merges (one per element per extra input). Dropout, Flatten, Reshape,
 * padding and Concatenate cost nothing. Layers the table does not know are listed in `uncounted`.
 *
 * @param model - the model.
 * @param graph - the model's flat graph, when the caller already has it (default: built here).
 * @returns Multiply-accumulates and flops of one example, in total and per layer application.
 *
 * @example
 * ```ts
 * import { countMacs } from '@prune/core';
 *
 * console.log(`${countMacs(model).macs} MACs per example`);
 * ```
 */
export function countMacs(model: LayersModel, graph: FlatGraph = flattenModel(model)): MacCount {
  const perLayer = new Map<Layer, LayerMacs>();
  for (const op of graph.ops) {
    let entry = perLayer.get(op.layer);
    if (entry === undefined) {
      entry = { path: op.path, className: op.layer.getClassName(), applications: 0, macs: 0, flops: 0, counted: true };
      perLayer.set(op.layer, entry);
    }
    const cost = layerSemantics(op.layer).cost({
      inputs: op.inputs.map((v) => exampleShape(graph, v, op.path)),
      output: exampleShape(graph, op.outputs[0]!, op.path),
    });
    entry.applications += 1;
    entry.macs += cost?.macs ?? 0;
    entry.flops += cost?.flops ?? 0;
    entry.counted &&= cost !== null;
  }
  const layers = [...perLayer.values()];
  return {
    macs: layers.reduce((sum, l) => sum + l.macs, 0),
    flops: layers.reduce((sum, l) => sum + l.flops, 0),
    layers,
    uncounted: layers.filter((l) => !l.counted).map((l) => l.path),
  };
}
