import type { LayersModel } from '@tensorflow/tfjs-layers';
import { mapChannelIndices, type ChannelIndexMap } from '../graph/channelIndexMap';
import { groupOfLayer, type ChannelGroup } from '../graph/channelGroups';
import { downstreamOps, flattenModel, type FlatGraph, type GraphOp } from '../graph/flatGraph';
import { layerSemantics, type LayerSemantics } from '../graph/layerTable';

/** One application of a group consumer: the op, the value it reads the channels from, and where they sit in it. */
export interface ConsumerApplication {
  op: GraphOp;
  /** The value id it reads (one of `op.inputs`). */
  input: number;
  /** Where the group's channels sit along that value's last axis (a Concatenate may bring them in more than once). */
  maps: ChannelIndexMap[];
  /** The contribution math the fast path uses for it (from the layer table), if any. */
  linear: LayerSemantics['linear'];
}

/**
 * How to evaluate a model with channels of one pruning group pruned, without copying it. Pruning channel c means
 * its consumers no longer read it: that is what surgery gives, whatever the layers between the sources and the
 * consumers do (they keep channels apart, or the group would have been refused). So nothing upstream of the
 * consumers changes with the mask: it is computed once, and each set only re-runs the consumers and what follows.
 */
export interface MaskPlan {
  graph: FlatGraph;
  /** The pruning group. */
  group: ChannelGroup;
  /** The layer the caller named, canonical (e.g. `encoder/conv2`). */
  layer: string;
  /** The group's number of channels P. */
  channels: number;
  /** Every application of every consumer. */
  consumers: ConsumerApplication[];
  /** Every op downstream of a consumer application (the consumers included), in graph order. */
  affected: number[];
  /** The value the caller reads (one model output). */
  output: number;
  /**
   * `linear-consumer`: each consumer's pre-activation is updated by per-channel contributions from its input,
   * computed once; `upstream`: each consumer runs on its input with the pruned entries zeroed.
   */
  path: 'linear-consumer' | 'upstream';
  /** Why this path was taken. */
  note: string;
}

/** Why the linear-consumer path cannot serve these consumers, or null when it can. */
function slowReason(graph: FlatGraph, consumers: readonly ConsumerApplication[], affected: ReadonlySet<number>): string | null {
  for (const c of consumers) {
    if (c.op.inputs.length !== 1) return `'${c.op.path}' reads several tensors`;
    if (c.linear === undefined) return `'${c.op.path}' (${c.op.layer.getClassName()}) has no per-channel contribution formula`;
    const producer = graph.producer[c.input]!;
    if (producer >= 0 && affected.has(producer)) {
      return `the input of '${c.op.path}' depends on another consumer of the group (a residual chain), so it changes with the mask`;
    }
  }
  return null;
}

/** The entries of a consumer's input that the given channels occupy, ascending. */
export function consumerIndices(app: ConsumerApplication, channels: ArrayLike<number>): number[] {
  if (app.maps.length === 1) return mapChannelIndices(app.maps[0]!, channels);
  return [...new Set(app.maps.flatMap((m) => mapChannelIndices(m, channels)))].sort((a, b) => a - b);
}

/**
 * Plans masked evaluations of `model` for channel sets of `layer`'s pruning group, reading model output `output`.
 * Throws the group's refusal (naming the layer that blocks it) for a layer whose channels cannot be pruned.
 */
export function planMasks(model: LayersModel, layer: string, output = 0, graph: FlatGraph = flattenModel(model)): MaskPlan {
  if (!Number.isInteger(output) || output < 0 || output >= model.outputs.length) {
    throw new Error(`output ${output} is not an output of model '${model.name}' (it has ${model.outputs.length})`);
  }
  const { path: named, group } = groupOfLayer(model, layer, graph);
  // One entry per (op, input): the maps of one input read by the same op are merged.
  const byInput = new Map<string, ConsumerApplication>();
  for (const member of group.consumers) {
    for (const a of member.applications) {
      const op = graph.ops[a.op]!;
      const key = `${a.op}:${a.input}`;
      const known = byInput.get(key);
      if (known !== undefined) known.maps.push(a.map);
      else byInput.set(key, { op, input: op.inputs[a.input]!, maps: [a.map], linear: layerSemantics(op.layer).linear });
    }
  }
  const consumers = [...byInput.values()];
  const affected = downstreamOps(graph, consumers.map((c) => c.op.index));
  const reason = slowReason(graph, consumers, new Set(affected));
  const names = [...new Set(consumers.map((c) => c.op.path))].map((p) => `'${p}'`).join(', ');
  const note =
    reason === null
      ? `upstream of ${names} computed once; per-channel contributions subtracted from its pre-activation; only the layers after it run for each K`
      : `upstream of ${names} computed once; the consumers run on their input with the pruned channels zeroed, and everything after them, for each K (${reason})`;
  return {
    graph,
    group,
    layer: named,
    channels: group.channels,
    consumers,
    affected,
    output: graph.outputs[output]!,
    path: reason === null ? 'linear-consumer' : 'upstream',
    note,
  };
}
