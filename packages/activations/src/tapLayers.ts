import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { listLayers, type Layer } from './listLayers';
import { resolveLayerEntry } from './resolveLayer';

/** What a tap callback learns about one application of a tapped layer besides its output. */
export interface TapContext {
  /** The tapped layer instance. */
  layer: Layer;
  /** The layer's canonical path in the model, e.g. `encoder/conv2`. */
  layerPath: string;
  /** The inputs this application received (do not dispose them). */
  inputs: Tensor | Tensor[];
  /** Which output of a multi-output layer this is (0 for ordinary layers). */
  outputIndex: number;
  /** How many outputs this application produced. */
  outputCount: number;
}

/**
 * Called synchronously for every output of every application of a tapped layer, while the output is alive.
 * `application` counts this tap's applications of the layer from 0 (a Siamese encoder applied to the left
 * and right input gives 0, 1 for the first batch, 2, 3 for the next, ...). Return a tensor to replace the
 * output (for example an identity with a custom gradient), or nothing to keep it.
 *
 * The output belongs to the forward pass: tfjs-layers disposes it once its consumers ran (and `predict`
 * runs inside `tf.tidy`), so anything the callback wants to use later must be computed now, or kept with
 * `tf.keep` / `clone` and disposed by the callback's owner.
 */
export type TapCallback = (path: string, output: Tensor, application: number, context: TapContext) => Tensor | void;

interface Hook {
  path: string;
  layerPath: string;
  callback: TapCallback;
  applications: number;
}

interface Installed {
  hooks: Hook[];
  wrapper: Layer['call'];
  /** The layer's own `call` property before wrapping (usually none: `call` lives on the prototype). */
  ownDescriptor: PropertyDescriptor | undefined;
}

// One wrapper per layer instance, shared by all taps on it, so taps can be removed in any order.
const installed = new WeakMap<Layer, Installed>();

/** A concrete tensor (not a SymbolicTensor seen while a model is being built). */
function isConcreteTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'dtype' in value;
}

function install(layer: Layer): Installed {
  const existing = installed.get(layer);
  if (existing) return existing;
  const ownDescriptor = Object.getOwnPropertyDescriptor(layer, 'call');
  const base: Layer['call'] = layer.call;
  const state: Installed = { hooks: [], wrapper: base, ownDescriptor };
  // Layer.apply and the graph executors all call `layer.call(...)` on the instance, so an own property
  // shadows the prototype method for every application: model.predict/execute/apply, fit, nested models.
  state.wrapper = function tappedCall(this: Layer, inputs, kwargs) {
    const result = base.call(this, inputs, kwargs);
    if (state.hooks.length === 0) return result;
    const outputs = Array.isArray(result) ? [...result] : [result];
    if (!outputs.every(isConcreteTensor)) return result;
    const hooks = [...state.hooks];
    const counts = hooks.map((h) => h.applications++);
    for (let i = 0; i < outputs.length; i++) {
      for (let h = 0; h < hooks.length; h++) {
        const hook = hooks[h]!;
        const context: TapContext = { layer, layerPath: hook.layerPath, inputs, outputIndex: i, outputCount: outputs.length };
        const replacement = hook.callback(hook.path, outputs[i]!, counts[h]!, context);
        if (replacement !== undefined) {
          if (!isConcreteTensor(replacement)) {
            throw new Error(`tapLayers: the callback for '${hook.path}' returned ${String(replacement)}; return a Tensor or nothing`);
          }
          outputs[i] = replacement;
        }
      }
    }
    return Array.isArray(result) ? outputs : outputs[0]!;
  };
  Object.defineProperty(layer, 'call', { value: state.wrapper, configurable: true, writable: true, enumerable: false });
  installed.set(layer, state);
  return state;
}

function uninstall(layer: Layer, state: Installed): void {
  if (state.hooks.length > 0) return;
  installed.delete(layer);
  const current = Object.getOwnPropertyDescriptor(layer, 'call');
  // If someone replaced `call` after us, leave theirs in place: our wrapper is a pass-through once empty.
  if (current?.value !== state.wrapper) return;
  if (state.ownDescriptor) Object.defineProperty(layer, 'call', state.ownDescriptor);
  else delete (layer as { call?: unknown }).call;
}

/**
 * A forward hook for tfjs-layers: wraps the `call` of each named layer instance so `onOutput` sees every
 * application of it (inside nested models, and each application of a shared layer), during the forward
 * passes the caller runs anyway. Paths are resolved like {@link resolveLayer}; all are checked before
 * anything is wrapped. Returns a function that removes the taps (idempotent; call it in a `finally`).
 *
 * @param model - the model.
 * @param paths - the layers to tap, by name or path.
 * @param onOutput - called with each application's output (return a tensor to replace it).
 * @returns A function that removes the taps.
 *
 * @example
 * ```ts
 * import { tapLayers } from '@prune/activations';
 *
 * const untap = tapLayers(model, ['conv2'], (path, output) => {
 *   console.log(path, output.shape);
 * });
 * try {
 *   model.predict(images);
 * } finally {
 *   untap();
 * }
 * ```
 */
export function tapLayers(model: LayersModel, paths: readonly string[], onOutput: TapCallback): () => void {
  if (typeof onOutput !== 'function') throw new Error('tapLayers: onOutput must be a function');
  const entries = listLayers(model);
  const resolved = paths.map((path) => {
    const entry = resolveLayerEntry(model, path, entries);
    if (entry.className === 'InputLayer') {
      throw new Error(
        `tapLayers: '${path}' is an InputLayer (${entry.path}); tfjs never calls it, so tap the layer it feeds instead`,
      );
    }
    return { path, entry };
  });
  const added: Array<{ layer: Layer; hook: Hook }> = [];
  for (const { path, entry } of resolved) {
    const state = install(entry.layer);
    const hook: Hook = { path, layerPath: entry.path, callback: onOutput, applications: 0 };
    state.hooks.push(hook);
    added.push({ layer: entry.layer, hook });
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const { layer, hook } of added) {
      const state = installed.get(layer);
      if (!state) continue;
      state.hooks = state.hooks.filter((h) => h !== hook);
      uninstall(layer, state);
    }
  };
}

/**
 * Runs `fn` with the taps installed and removes them afterwards, also when `fn` throws or rejects.
 *
 * @param model - the model.
 * @param paths - the layers to tap.
 * @param onOutput - called with each application's output.
 * @param fn - the work to run with the taps on (forward passes).
 * @returns What `fn` returns.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { withTaps } from '@prune/activations';
 *
 * const shapes: number[][] = [];
 * await withTaps(model, ['conv2'], (_path, out) => void shapes.push(out.shape), () => {
 *   tf.dispose(model.predict(images));
 * });
 * ```
 */
export async function withTaps<T>(
  model: LayersModel,
  paths: readonly string[],
  onOutput: TapCallback,
  fn: () => T | Promise<T>,
): Promise<T> {
  const restore = tapLayers(model, paths, onOutput);
  try {
    return await fn();
  } finally {
    restore();
  }
}
