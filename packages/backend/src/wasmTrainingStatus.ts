import { getKernel } from '@tensorflow/tfjs-core';

/**
 * The kernels tfjs-core's gradients run that no forward pass runs (backprop kernels, and the
 * scatter behind gather's gradient): a backend without one of them cannot train a model whose
 * forward pass needs its gradient.
 */
export const GRADIENT_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Conv3DBackpropFilterV2',
  'Conv3DBackpropInputV2',
  'MaxPoolGrad',
  'AvgPoolGrad',
  'MaxPool3DGrad',
  'AvgPool3DGrad',
  'ResizeBilinearGrad',
  'ResizeNearestNeighborGrad',
  'UnsortedSegmentSum',
] as const;

/** What the wasm backend can train with right now, read from tfjs's kernel registry. */
export interface WasmTrainingStatus {
  /** Kernels of `WASM_TRAINING_KERNELS` currently registered by this package. */
  completed: string[];
  /** Kernels of {@link GRADIENT_KERNELS} that no kernel is registered for on wasm. */
  missing: string[];
  /** One phrase for a backend description, e.g. "training kernels completed (…)" or "… missing: …". */
  description: string;
}

/**
 * Reads which gradient kernels wasm has (via `getKernel`), and which of `names` are registered with
 * the configs `registerWasmTrainingKernels` made for them (`ours`).
 * Never says "completed" while a gradient kernel is missing.
 */
export function wasmTrainingStatus(names: readonly string[], ours: ReadonlyMap<string, unknown> | null): WasmTrainingStatus {
  const completed = names.filter((name) => ours != null && ours.get(name) !== undefined && getKernel(name, 'wasm') === ours.get(name));
  const missing = GRADIENT_KERNELS.filter((name) => getKernel(name, 'wasm') == null);
  const list = completed.length > 0 ? completed.join(', ') : 'none';
  const description =
    missing.length === 0
      ? `training kernels completed (${list})`
      : `training kernels incomplete: missing ${missing.join(', ')}; added or replaced: ${list}`;
  return { completed: [...completed], missing: [...missing], description };
}
