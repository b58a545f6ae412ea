import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import {
  depthwiseMap,
  flattenMap,
  identityMap,
  lastIndex,
  mapChannelIndices,
  mapKey,
  offsetMap,
  type ChannelIndexMap,
} from './channelIndexMap';
import { flattenModel, type FlatGraph, type GraphOp } from './flatGraph';
import { layerSemantics, type ChannelRole } from './layerTable';
import { isContainer, type Layer } from './modelTree';

/** One application of a group member: the op, which of its inputs carries the channels, and where they sit. */
export interface GroupApplication {
  /** Index of the op in the model's flat graph. */
  op: number;
  /** For consumers and layers on the path: the op input that carries the channels; -1 for a source (its output). */
  input: number;
  /** Where the group's channels sit along the last axis of that input (or of a source's output). */
  map: ChannelIndexMap;
}

/** A layer of a group: a source, a layer on the path, or a consumer, with every application that carries the channels. */
export interface GroupMember {
  /** Path of the layer: 'conv2' or 'encoder/conv2'. */
  path: string;
  /** The layer instance. */
  layer: Layer;
  /** Its tfjs class name. */
  className: string;
  /** What the layer does with channels (from the layer table). */
  role: ChannelRole;
  /** The applications that carry the group's channels (a shared layer has several). */
  applications: GroupApplication[];
}

/**
 * A pruning group: output channels that must be removed together. Channel c of the group is channel c of every
 * source (sources coupled by Add, Multiply, …, by a shared layer, or through a nested model); it passes through the
 * layers on the path (activations, BatchNormalization, depthwise convolutions, pooling, Flatten, merges) and ends
 * in the consumers, whose input slices read it.
 */
export interface ChannelGroup {
  /** The group's name: the path of its first source in the model's order. */
  id: string;
  /** Number of channels P of every source. */
  channels: number;
  /** The coupled sources: pruning channel c removes channel c of each. */
  sources: GroupMember[];
  /** Layers the channels pass through, in the order reached. */
  path: GroupMember[];
  /** Layers whose input slices (kernel rows, input channels) read the channels. */
  consumers: GroupMember[];
  /** Paths of the merge and concatenate layers that couple several sources. */
  couplings: string[];
}

/** A source layer whose group cannot be pruned, and why. */
export interface RefusedLayer {
  layer: string;
  className: string;
  reason: string;
}

/** Every pruning group of a model, the source layers that cannot be pruned, and the graph they were found on. */
export interface ModelGroups {
  graph: FlatGraph;
  groups: ChannelGroup[];
  refused: RefusedLayer[];
}

interface Pending {
  value: number;
  map: ChannelIndexMap;
  /** Whether the value's producer must produce these channels too (reached from a reader, not from its producer). */
  back: boolean;
}

/** Finds one group by walking the flat graph from a source layer's outputs, forward to consumers and back to partners. */
class GroupWalk {
  private readonly members = { sources: new Map<Layer, GroupMember>(), path: new Map<Layer, GroupMember>(), consumers: new Map<Layer, GroupMember>() };
  private readonly couplings = new Set<string>();
  private readonly queue: Pending[] = [];
  private readonly seen = new Set<string>();
  private readonly opsOf = new Map<Layer, GraphOp[]>();
  readonly channels: number;

  constructor(
    private readonly model: LayersModel,
    private readonly graph: FlatGraph,
    private readonly target: { layer: Layer; path: string },
  ) {
    for (const op of graph.ops) this.opsOf.set(op.layer, [...(this.opsOf.get(op.layer) ?? []), op]);
    const ops = this.opsOf.get(target.layer) ?? [];
    if (ops.length === 0) throw new Error(`Layer '${target.path}' is not applied anywhere in model '${model.name}'`);
    this.channels = this.width(ops[0]!.outputs[0]!, target.path);
  }

  run(): ChannelGroup {
    this.addSource(this.graph.ops.find((op) => op.layer === this.target.layer)!, identityMap(this.channels));
    do {
      while (this.queue.length > 0) {
        const item = this.queue.shift()!;
        if (item.back) this.backward(item);
        this.forward(item);
      }
    } while (this.coupleApplications());
    const list = (table: Map<Layer, GroupMember>) => [...table.values()];
    const sources = list(this.members.sources).sort((a, b) => a.applications[0]!.op - b.applications[0]!.op);
    this.checkShared([...sources, ...list(this.members.path), ...list(this.members.consumers)]);
    return { id: sources[0]!.path, channels: this.channels, sources, path: list(this.members.path), consumers: list(this.members.consumers), couplings: [...this.couplings] };
  }

  private fail(op: GraphOp, why: string): never {
    throw new Error(`Cannot prune the output channels of '${this.target.path}': they reach layer '${op.path}' (${op.layer.getClassName()}), and ${why}`);
  }

  private width(value: number, where: string): number {
    const shape = this.graph.shapes[value]!;
    const size = shape[shape.length - 1];
    if (typeof size !== 'number') throw new Error(`Layer '${where}': the last axis of its output has unknown size`);
    return size;
  }

  private push(value: number, map: ChannelIndexMap, back: boolean): void {
    const key = `${value}|${mapKey(map)}|${back}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.queue.push({ value, map, back });
  }

  private note(table: Map<Layer, GroupMember>, op: GraphOp, input: number, map: ChannelIndexMap): void {
    let member = table.get(op.layer);
    if (member === undefined) {
      member = { path: op.path, layer: op.layer, className: op.layer.getClassName(), role: layerSemantics(op.layer).role, applications: [] };
      table.set(op.layer, member);
    }
    if (!member.applications.some((a) => a.op === op.index && a.input === input && mapKey(a.map) === mapKey(map))) {
      member.applications.push({ op: op.index, input, map });
    }
  }

  /** A source joins the group with every application of its layer (a shared layer produces the same channels each time). */
  private addSource(op: GraphOp, map: ChannelIndexMap): void {
    const semantics = layerSemantics(op.layer);
    const isIdentity = map.start === 0 && map.multiplier === 1 && map.positions === 1 && map.size === this.channels;
    const width = this.width(op.outputs[0]!, op.path);
    if (!isIdentity || width !== this.channels) {
      this.fail(op, `its ${width} output channels cannot be matched one-to-one with the ${this.channels} channels of '${this.target.path}'`);
    }
    if (semantics.outputRefusal !== undefined) this.fail(op, semantics.outputRefusal);
    for (const app of this.opsOf.get(op.layer)!) {
      this.note(this.members.sources, app, -1, map);
      this.push(app.outputs[0]!, map, false);
    }
  }

  /**
   * A layer with weights edits them once, so each of its applications must carry the group's channels at the same
   * input: the applications not reached yet get their input traced back (a shared layer couples its inputs' sources).
   * Returns whether anything was queued.
   */
  private coupleApplications(): boolean {
    const before = this.queue.length;
    for (const member of [...this.members.path.values(), ...this.members.consumers.values()]) {
      const role = layerSemantics(member.layer).role;
      if (role !== 'channelwise' && role !== 'source') continue;
      const { input, map } = member.applications[0]!;
      for (const op of this.opsOf.get(member.layer)!) {
        if (!member.applications.some((a) => a.op === op.index)) this.push(op.inputs[input]!, map, true);
      }
    }
    return this.queue.length > before;
  }

  /** Whatever produced a value the group reads must produce the group's channels. */
  private backward({ value, map }: Pending): void {
    const p = this.graph.producer[value]!;
    if (p < 0) {
      const index = this.graph.inputs.indexOf(value);
      const name = this.model.inputs[index]?.sourceLayer.name ?? String(index);
      throw new Error(
        `Cannot prune the output channels of '${this.target.path}': they reach layer '${name}' (InputLayer), and that is an input of model '${this.model.name}' (input ${index}), whose shape cannot change`,
      );
    }
    const op = this.graph.ops[p]!;
    const semantics = layerSemantics(op.layer);
    if (semantics.refusal !== undefined) this.fail(op, semantics.refusal);
    switch (semantics.role) {
      case 'source':
        this.addSource(op, map);
        return;
      case 'elementwise':
      case 'reshape':
        this.push(op.inputs[0]!, map, true);
        return;
      case 'channelwise':
        // Per channel like BatchNormalization only with one output per input channel.
        if (semantics.multiplier !== 1) {
          this.fail(op, `the channels would have to be traced backwards through its depth multiplier ${semantics.multiplier} to couple another branch, which is not supported`);
        }
        this.push(op.inputs[0]!, map, true);
        return;
      case 'merge':
        this.couplings.add(op.path);
        for (const v of op.inputs) this.push(v, map, true);
        return;
      case 'concat':
        this.concatBackward(op, value, map);
        return;
      default:
        this.fail(op, 'the channels would have to be traced backwards through it to couple another branch, which is not supported');
    }
  }

  /** Channels of a concatenation along the channel axis come from exactly one of its inputs. */
  private concatBackward(op: GraphOp, value: number, map: ChannelIndexMap): void {
    this.couplings.add(op.path);
    if (!this.onChannelAxis(op, value)) {
      for (const v of op.inputs) this.push(v, map, true);
      return;
    }
    const first = map.start;
    const end = lastIndex(map, this.channels);
    let offset = 0;
    for (const v of op.inputs) {
      const width = this.width(v, op.path);
      if (first >= offset && end < offset + width) {
        const shifted = { ...map, start: map.start - offset, size: width, positionStride: map.positions === 1 ? width : map.positionStride };
        this.push(v, shifted, true);
        return;
      }
      offset += width;
    }
    this.fail(op, 'the channels it must carry span several of its inputs, so they cannot be pruned as one group');
  }

  private onChannelAxis(op: GraphOp, value: number): boolean {
    const rank = this.graph.shapes[value]!.length;
    const a = layerSemantics(op.layer).axis ?? -1;
    return (a < 0 ? rank + a : a) === rank - 1;
  }

  /** Every reader of a value that carries the group's channels. */
  private forward({ value, map }: Pending): void {
    const output = this.graph.outputs.indexOf(value);
    if (output >= 0) {
      const producer = this.graph.ops[this.graph.producer[value]!];
      throw new Error(
        `Cannot prune the output channels of '${this.target.path}': they reach output ${output} of model '${this.model.name}'` +
          `${producer ? ` (the output of '${producer.path}')` : ''}, whose shape must not change`,
      );
    }
    for (const c of this.graph.consumers[value]!) {
      const op = this.graph.ops[c]!;
      op.inputs.forEach((v, input) => {
        if (v === value) this.read(op, input, map);
      });
    }
  }

  private read(op: GraphOp, input: number, map: ChannelIndexMap): void {
    const semantics = layerSemantics(op.layer);
    if (semantics.refusal !== undefined) this.fail(op, semantics.refusal);
    const out = op.outputs[0]!;
    switch (semantics.role) {
      case 'source':
        if (map.positions > 1 && semantics.linear !== 'dense') this.fail(op, 'it reads flattened channels but is not a Dense layer');
        this.note(this.members.consumers, op, input, map);
        return;
      case 'elementwise':
        this.note(this.members.path, op, input, map);
        this.push(out, map, false);
        return;
      case 'channelwise':
        if (map.positions > 1 && semantics.multiplier !== 1) this.fail(op, 'it reads flattened channels');
        this.note(this.members.path, op, input, map);
        this.push(out, semantics.multiplier === 1 ? map : depthwiseMap(map, semantics.multiplier), false);
        return;
      case 'flatten':
        this.note(this.members.path, op, input, map);
        this.push(out, this.flattened(op, map), false);
        return;
      case 'reshape':
        this.checkUnitReshape(op, map);
        this.note(this.members.path, op, input, map);
        this.push(out, map, false);
        return;
      case 'merge':
        this.note(this.members.path, op, input, map);
        this.couplings.add(op.path);
        // The other inputs must carry the same channels; the one they arrived on needs no tracing back.
        op.inputs.forEach((v, i) => i !== input && v !== op.inputs[input] && this.push(v, map, true));
        this.push(out, map, false);
        return;
      case 'concat':
        this.note(this.members.path, op, input, map);
        if (!this.onChannelAxis(op, op.inputs[input]!)) {
          this.couplings.add(op.path);
          op.inputs.forEach((v, i) => i !== input && v !== op.inputs[input] && this.push(v, map, true));
          this.push(out, map, false);
          return;
        }
        this.push(out, offsetMap(map, op.inputs.slice(0, input).reduce((sum, v) => sum + this.width(v, op.path), 0), this.width(out, op.path)), false);
        return;
      default:
        this.fail(op, `it is a ${semantics.role} layer`);
    }
  }

  private flattened(op: GraphOp, map: ChannelIndexMap): ChannelIndexMap {
    const shape = this.graph.shapes[op.inputs[0]!]!;
    if (shape.length <= 2) return map;
    if (map.positions > 1) this.fail(op, 'it flattens channels that were flattened already');
    const spatial = shape.slice(1, -1);
    if (spatial.some((d) => typeof d !== 'number')) this.fail(op, `its input shape [${shape.join(', ')}] is not fully known`);
    return flattenMap(map, (spatial as number[]).reduce((a, b) => a * b, 1));
  }

  /** A Reshape is accepted where it only adds or drops unit axes (e.g. [C] → [1, 1, C]) and keeps channels last. */
  private checkUnitReshape(op: GraphOp, map: ChannelIndexMap): void {
    const from = this.graph.shapes[op.inputs[0]!]!.slice(1);
    const to = this.graph.shapes[op.outputs[0]!]!.slice(1);
    const squeeze = (s: (number | null)[]) => s.filter((d) => d !== 1).join(',');
    if (map.positions > 1 || squeeze(from) !== squeeze(to) || from[from.length - 1] !== to[to.length - 1]) {
      this.fail(op, `it reshapes [${from.join(', ')}] to [${to.join(', ')}], which moves the channels (only unit axes may be added or dropped)`);
    }
  }

  /** Surgery edits a layer's weights once: every application of a weighted member must carry the same channels. */
  private checkShared(members: GroupMember[]): void {
    for (const member of members) {
      const semantics = layerSemantics(member.layer);
      if (semantics.role !== 'source' && semantics.role !== 'channelwise') continue;
      const ops = this.opsOf.get(member.layer)!;
      const carried = new Set(member.applications.map((a) => a.op));
      const missing = ops.find((op) => !carried.has(op.index));
      if (missing !== undefined) {
        throw new Error(
          `Cannot prune the output channels of '${this.target.path}': layer '${member.path}' is shared, and one of its applications does not carry these channels`,
        );
      }
      // Per application, every position it reads the channels at (a Concatenate may bring them in twice).
      const positions = new Set(
        ops.map((op) => member.applications.filter((a) => a.op === op.index && a.input >= 0).flatMap((a) => mapChannelIndices(a.map, [0])).sort((x, y) => x - y).join(',')),
      );
      if (positions.size > 1) {
        throw new Error(
          `Cannot prune the output channels of '${this.target.path}': shared layer '${member.path}' reads them at different input positions in different applications`,
        );
      }
    }
  }
}

/** The layer a path names, checked to be a layer (not a nested model). */
function locate(model: LayersModel, path: string): { layer: Layer; path: string } {
  const entry = resolveLayerEntry(model, path);
  if (isContainer(entry.layer)) {
    throw new Error(`Layer '${entry.path}' is a nested model, not a layer with channels; name one of its layers ('${entry.path}/<layer>')`);
  }
  return { layer: entry.layer, path: entry.path };
}

/**
 * The pruning group of a layer's output channels: its coupled sources, the layers on the way and every consumer,
 * across nested models and shared layers. Throws a clear error naming the layer when the channels cannot be removed
 * (they reach a model input or output, a layer that mixes channels, or a layer class the table does not know).
 *
 * @param model - the model (Sequential, functional, nested models and shared layers welcome).
 * @param layer - any source of the group, by name or path (`'conv2'`, `'encoder/conv2'`).
 * @param graph - the model's flat graph, when the caller already has it (default: built here).
 * @returns The group: its sources, the layers on the way, its consumers and couplings.
 *
 * @example
 * ```ts
 * import { channelGroup } from '@prune/core';
 *
 * const group = channelGroup(model, 'conv2');
 * console.log(group.channels, group.consumers.map((m) => m.path)); // 32 ['dense1']
 * ```
 */
export function channelGroup(model: LayersModel, layer: string, graph: FlatGraph = flattenModel(model)): ChannelGroup {
  return groupOfLayer(model, layer, graph).group;
}

/** {@link channelGroup} with the canonical path of the layer asked for (one of the group's sources). */
export function groupOfLayer(model: LayersModel, layer: string, graph: FlatGraph = flattenModel(model)): { path: string; group: ChannelGroup } {
  const target = locate(model, layer);
  return { path: target.path, group: walkGroup(model, graph, target) };
}

function walkGroup(model: LayersModel, graph: FlatGraph, target: { layer: Layer; path: string }): ChannelGroup {
  const semantics = layerSemantics(target.layer);
  if (semantics.role !== 'source') {
    const hint =
      semantics.role === 'channelwise'
        ? ': its output channels follow its input channels; prune the layer that produces its input'
        : '; only layers with their own filters or units (Conv1D, Conv2D, Conv2DTranspose, SeparableConv2D, Dense) have them';
    throw new Error(`Layer '${target.path}' (${semantics.className}) has no prunable output channels${hint}`);
  }
  const refusal = semantics.refusal ?? semantics.outputRefusal;
  if (refusal !== undefined) {
    const output = graph.ops.find((op) => op.layer === target.layer && graph.outputs.includes(op.outputs[0]!));
    const where = output === undefined ? '' : ` (it is the model's output layer; prune an earlier layer)`;
    throw new Error(`Cannot prune the output channels of '${target.path}': ${refusal}${where}`);
  }
  return new GroupWalk(model, graph, target).run();
}

/**
 * Every pruning group of a model, in the model's order, each once whichever of its sources is asked for; and the
 * source layers whose groups cannot be pruned, each with the reason.
 *
 * @param model - the model.
 * @param graph - the model's flat graph, when the caller already has it (default: built here).
 * @returns The groups, the refused source layers with their reasons, and the graph.
 *
 * @example
 * ```ts
 * import { channelGroups } from '@prune/core';
 *
 * const { groups, refused } = channelGroups(model);
 * for (const g of groups) console.log(g.id, g.channels, g.couplings);
 * for (const r of refused) console.log(`${r.layer} cannot be pruned: ${r.reason}`);
 * ```
 */
export function channelGroups(model: LayersModel, graph: FlatGraph = flattenModel(model)): ModelGroups {
  const groups: ChannelGroup[] = [];
  const refused: RefusedLayer[] = [];
  const grouped = new Set<Layer>();
  const tried = new Set<Layer>();
  for (const op of graph.ops) {
    if (tried.has(op.layer) || grouped.has(op.layer) || layerSemantics(op.layer).role !== 'source') continue;
    tried.add(op.layer);
    try {
      const group = walkGroup(model, graph, { layer: op.layer, path: op.path });
      group.sources.forEach((s) => grouped.add(s.layer));
      groups.push(group);
    } catch (error) {
      refused.push({ layer: op.path, className: op.layer.getClassName(), reason: (error as Error).message });
    }
  }
  return { graph, groups, refused };
}
