import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { isContainer, type ContainerLike, type Layer } from './modelTree';

// The one graph of a model that every part of @prune/core walks: pruning groups, the sweep and the mask evaluator,
// criteria that run the model, cost counts. Nested models are inlined into one op per layer application, so a
// shared encoder used on two inputs gives two ops per layer. (modelTree.ts only lists the model's layer objects, for
// counting each layer's weights once and copying weights into a rebuilt model.)

/** One application of a (non-model) layer in a model flattened into a single graph. */
export interface GraphOp {
  /** Position in `FlatGraph.ops` (a topological order). */
  index: number;
  layer: Layer;
  /** The layer's path through nested models, e.g. `encoder/conv2`. */
  path: string;
  /** Value ids read, in the layer's input order. */
  inputs: number[];
  /** Value ids written, in the layer's output order. */
  outputs: number[];
  /** The keyword arguments recorded when the layer was applied symbolically. */
  callArgs: Record<string, unknown>;
}

/** A model as one graph of layer applications: nested models inlined, each application of a shared layer its own op. */
export interface FlatGraph {
  ops: GraphOp[];
  /** Value ids of the model's inputs, in `model.inputs` order. */
  inputs: number[];
  /** Value ids of the model's outputs, in `model.outputs` order. */
  outputs: number[];
  /** Number of values (ids are 0 … valueCount-1). */
  valueCount: number;
  /** For each value, the op that writes it (-1 for a model input). */
  producer: Int32Array;
  /** For each value, the ops that read it. */
  consumers: number[][];
  /** For each value, its static shape (batch axis null). */
  shapes: (number | null)[][];
}

/**
 * Flattens a model into one graph: every application of every layer, with nested models (applied once or several
 * times) inlined, so a shared encoder used on two inputs gives two ops per layer. Reads the symbolic graph only.
 */
export function flattenModel(model: LayersModel): FlatGraph {
  const ops: GraphOp[] = [];
  const shapes: (number | null)[][] = [];
  let valueCount = 0;
  const newValue = (t: SymbolicTensor): number => {
    shapes.push([...t.shape]);
    return valueCount++;
  };
  const inline = (container: ContainerLike, prefix: string, inputValues: number[]): number[] => {
    const memo = new Map<number, number>();
    container.inputs.forEach((t, i) => memo.set(t.id, inputValues[i]!));
    const valueOf = (t: SymbolicTensor): number => {
      const known = memo.get(t.id);
      if (known !== undefined) return known;
      const layer = t.sourceLayer;
      const node = layer.inboundNodes[t.nodeIndex];
      if (node === undefined || layer.getClassName() === 'InputLayer') {
        throw new Error(`model '${model.name}': tensor '${t.name}' of layer '${prefix}${layer.name}' is not computed from the model's inputs`);
      }
      const ins = node.inputTensors.map(valueOf);
      let outs: number[];
      if (isContainer(layer)) {
        outs = inline(layer, `${prefix}${layer.name}/`, ins);
      } else {
        outs = node.outputTensors.map(newValue);
        const callArgs = ((node as unknown as { callArgs?: Record<string, unknown> }).callArgs ?? {}) as Record<string, unknown>;
        ops.push({ index: ops.length, layer, path: `${prefix}${layer.name}`, inputs: ins, outputs: outs, callArgs });
      }
      node.outputTensors.forEach((o, i) => memo.set(o.id, outs[i]!));
      return memo.get(t.id)!;
    };
    return container.outputs.map(valueOf);
  };
  const root = model as unknown as ContainerLike;
  const inputs = root.inputs.map(newValue);
  const outputs = inline(root, '', inputs);
  const producer = new Int32Array(valueCount).fill(-1);
  const consumers: number[][] = Array.from({ length: valueCount }, () => []);
  for (const op of ops) {
    op.outputs.forEach((v) => (producer[v] = op.index));
    for (const v of new Set(op.inputs)) consumers[v]!.push(op.index);
  }
  return { ops, inputs, outputs, valueCount, producer, consumers, shapes };
}

/** Runs one op on concrete tensors (inference mode) and returns its outputs. */
export function runOp(op: GraphOp, values: ReadonlyArray<tf.Tensor | undefined>): tf.Tensor[] {
  const args = op.inputs.map((v) => {
    const t = values[v];
    if (t === undefined) throw new Error(`internal: value ${v} needed by '${op.path}' was not computed`);
    return t;
  });
  const kwargs = { ...op.callArgs, training: false };
  delete (kwargs as { mask?: unknown }).mask;
  const out = op.layer.apply(args.length === 1 ? args[0]! : args, kwargs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/**
 * Runs `ops` in order, reading and writing `values` (which must hold every value they read from outside); `override`
 * may compute an op's outputs itself (a masked consumer, a scaled source) or return null to run it as is.
 */
export function runOps(graph: FlatGraph, ops: readonly number[], values: Array<tf.Tensor | undefined>, override?: (op: number) => tf.Tensor[] | null): void {
  for (const o of ops) {
    const op = graph.ops[o]!;
    const outs = override?.(o) ?? runOp(op, values);
    op.outputs.forEach((v, i) => (values[v] = outs[i]));
  }
}

/** The ops (indices, ascending) that compute the given values from the model inputs and `known` values. */
export function opsFor(graph: FlatGraph, targets: Iterable<number>, known: ReadonlySet<number> = new Set()): number[] {
  const needed = new Set<number>();
  const stack = [...targets];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (known.has(v)) continue;
    const p = graph.producer[v]!;
    if (p < 0 || needed.has(p)) continue;
    needed.add(p);
    stack.push(...graph.ops[p]!.inputs);
  }
  return [...needed].sort((a, b) => a - b);
}

/** Every op downstream of the given ops (the ops themselves included), ascending. */
export function downstreamOps(graph: FlatGraph, from: Iterable<number>): number[] {
  const seen = new Set<number>();
  const stack = [...from];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    for (const v of graph.ops[o]!.outputs) stack.push(...graph.consumers[v]!);
  }
  return [...seen].sort((a, b) => a - b);
}
