import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Cost } from './layerCost';
import { modelLayers } from './modelLayers';
import { releaseSharedSubmodels } from './releaseSharedSubmodels';
import { seedBatchNorms } from './seedBatchNorms';
import { seededLayers, type SeededLayers } from './seededLayers';
import { seedStream } from './seedStream';

/** The architectures of the zoo. */
export type ZooName = 'vgg' | 'resnet' | 'mobilenetV2' | 'densenet' | 'xception' | 'seBlock' | 'siamese' | 'gapHead' | 'conv1d';

/**
 * Channel counts of an architecture's prunable layers (filters of a conv, units of a dense), keyed by layer name.
 * Coupled layers (both sides of an Add or Multiply) share one key: the name of the first of them.
 */
export type Widths = Readonly<Record<string, number>>;

/** Loss the architecture's output is trained with: softmax over classes, or one sigmoid unit. */
export type LossKind = 'categorical' | 'binary';

/** Options every builder takes. */
export interface ZooOptions {
  /** Seed of every initialiser and of the BatchNormalization weights (default 1). */
  seed?: number;
  /** Widths to build at; keys left out take the architecture's defaults; an unknown key is an error. */
  widths?: Widths;
}

/** One architecture of the zoo: a seeded builder, its shapes, and an independent hand count of its cost. */
export interface ZooEntry<O extends ZooOptions = ZooOptions> {
  /** Its key in {@link ZOO}. */
  readonly name: ZooName;
  /** How its output is trained. */
  readonly loss: LossKind;
  /** Per width key, the names of the layers whose `filters`/`units` it sets (more than one when coupled). */
  readonly widthGroups: Readonly<Record<string, readonly string[]>>;
  /** The default widths (for options such as a width multiplier, those options' widths). */
  defaultWidths(options?: O): Widths;
  /** Shape of each model input, without the batch axis. */
  inputShapes(options?: O): number[][];
  /** Units of the model's one output (classes, or 1 for a binary output). */
  outputUnits(options?: O): number;
  /** A fresh model with seeded weights (same options → same weights). */
  build(options?: O): tfl.LayersModel;
  /** Seeded standard-normal inputs, one tensor [n, ...shape] per model input; the caller disposes them. */
  randomInputs(n: number, seed: number, options?: O): tf.Tensor[];
  /**
   * Params and MACs of one example at these widths (missing keys: defaults), from the architecture's layer-by-layer
   * formula, not from a tfjs model. Conv/Dense kernel MACs, depthwise out·kh·kw, separable depthwise + pointwise,
   * one MAC per BatchNormalization element, nothing else; a shared encoder's MACs count per application.
   */
  cost(widths?: Widths, options?: O): Cost;
  /** The widths of a built (possibly pruned) model, read from its layers' `filters`/`units`. */
  widthsOf(model: tfl.LayersModel): Widths;
}

/** What an architecture file writes; {@link defineZooEntry} adds the shared parts. */
export interface ZooSpec<O extends ZooOptions> {
  name: ZooName;
  loss: LossKind;
  widthGroups: Readonly<Record<string, readonly string[]>>;
  defaultWidths(options: O): Widths;
  inputShapes(options: O): number[][];
  outputUnits(options: O): number;
  /** Builds the model at complete, checked widths with seeded layer factories. */
  assemble(widths: Widths, layers: SeededLayers, options: O): tfl.LayersModel;
  /** The hand count at complete, checked widths. */
  cost(widths: Widths, options: O): Cost;
}

/** Completes a {@link ZooSpec} into a {@link ZooEntry}: width checks, seeding, BN weights, inputs, `widthsOf`. */
export function defineZooEntry<O extends ZooOptions>(spec: ZooSpec<O>): ZooEntry<O> {
  const resolve = (widths: Widths | undefined, options: O): Widths => {
    const defaults = spec.defaultWidths(options);
    for (const [key, value] of Object.entries(widths ?? {})) {
      if (!(key in defaults)) throw new Error(`${spec.name}: unknown width '${key}' (known: ${Object.keys(defaults).join(', ')})`);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${spec.name}: width '${key}' must be a positive integer, got ${value}`);
    }
    return { ...defaults, ...widths };
  };
  return {
    name: spec.name,
    loss: spec.loss,
    widthGroups: spec.widthGroups,
    defaultWidths: (options = {} as O) => spec.defaultWidths(options),
    inputShapes: (options = {} as O) => spec.inputShapes(options),
    outputUnits: (options = {} as O) => spec.outputUnits(options),
    build(options = {} as O) {
      const seeds = seedStream(options.seed ?? 1);
      const model = spec.assemble(resolve(options.widths, options), seededLayers(seeds()), options);
      seedBatchNorms(model, seeds());
      releaseSharedSubmodels(model);
      return model;
    },
    randomInputs(n, seed, options = {} as O) {
      const seeds = seedStream(seed);
      return spec.inputShapes(options).map((shape) => tf.randomNormal([n, ...shape], 0, 1, 'float32', seeds()));
    },
    cost: (widths, options = {} as O) => spec.cost(resolve(widths, options), options),
    widthsOf(model) {
      const byName = new Map(modelLayers(model).map((layer) => [layer.name, layer]));
      const widths: Record<string, number> = {};
      for (const [key, names] of Object.entries(spec.widthGroups)) {
        const counts = names.map((name) => {
          const layer = byName.get(name);
          if (layer === undefined) throw new Error(`${spec.name}.widthsOf: model has no layer '${name}'`);
          const config = layer.getConfig() as { filters?: number; units?: number };
          const count = config.filters ?? config.units;
          if (count === undefined) throw new Error(`${spec.name}.widthsOf: layer '${name}' has no filters or units`);
          return count;
        });
        if (counts.some((c) => c !== counts[0])) {
          throw new Error(`${spec.name}.widthsOf: coupled layers ${names.join(', ')} disagree: ${counts.join(', ')}`);
        }
        widths[key] = counts[0]!;
      }
      return widths;
    },
  };
}
