import { getBackend, gather, setBackend, tensor1d, tensor4d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { registerSiameseFusion } from '@prune/siamese';
// The wasm binaries are bundled as local assets: the page loads them from its own folder, never from a CDN.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { buildMaskedTail, type MaskedTail, type ProgressCallback } from './maskedTail';
import type { ViewerData } from './loadRun';

/** Picks the tfjs backend: wasm (local binaries), or cpu when wasm fails or `?backend=cpu` asks for it. */
export async function initBackend(preferred: 'wasm' | 'cpu' = 'wasm'): Promise<{ backend: string; note: string }> {
  if (preferred === 'wasm') {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': new URL(wasmPlain, document.baseURI).href,
      'tfjs-backend-wasm-simd.wasm': new URL(wasmSimd, document.baseURI).href,
      'tfjs-backend-wasm-threaded-simd.wasm': new URL(wasmThreaded, document.baseURI).href,
    });
    try {
      if (await setBackend('wasm')) return { backend: getBackend(), note: 'WebAssembly' };
    } catch {
      // fall through to cpu
    }
    await setBackend('cpu');
    return { backend: getBackend(), note: 'wasm failed to start; plain JavaScript' };
  }
  await setBackend('cpu');
  return { backend: getBackend(), note: 'plain JavaScript (asked for)' };
}

/** The loaded what-if model: the masked tail over the evaluation pairs, ready for one evaluation per change. */
export interface WhatIfEngine {
  model: LayersModel;
  tail: MaskedTail;
  labels: Uint8Array;
  /** Time to load the model and cache the activations, in milliseconds. */
  prepareMs: number;
}

/** Orders [left, right] tensors as the model's inputs (by name when the model names them left and right). */
function orderInputs(model: LayersModel, left: Tensor, right: Tensor): Tensor[] {
  const names = model.inputs.map((s) => s.name.replace(/[:/].*$/, ''));
  if (names.length !== 2) throw new Error(`The what-if model has ${names.length} inputs; a pair model with 2 (left, right) is expected`);
  return names[0] === 'right' && names[1] === 'left' ? [right, left] : [left, right];
}

/**
 * Loads the run's trained model and computes, once, everything upstream of the pruned layer's cut for every
 * evaluation pair (the progress callback counts pairs); afterwards each mask costs only the tail.
 */
export async function prepareWhatIf(data: ViewerData, onProgress: ProgressCallback): Promise<WhatIfEngine> {
  const started = performance.now();
  registerSiameseFusion();
  const model = await loadLayersModel(data.modelUrl);
  const count = data.images.length / data.imageShape.reduce((a, b) => a * b, 1);
  const [h, w, c] = data.imageShape as [number, number, number];
  const [left, right] = tidy(() => {
    const images = tensor4d(data.images, [count, h, w, c]); // [images, 28, 28, 1]
    return [gather(images, tensor1d(data.left, 'int32')), gather(images, tensor1d(data.right, 'int32'))]; // [pairs, 28, 28, 1] each
  });
  try {
    const tail = await buildMaskedTail(model, data.index.layer, orderInputs(model, left, right), { batchSize: 200, onProgress });
    return { model, tail, labels: data.labels, prepareMs: performance.now() - started };
  } finally {
    left.dispose();
    right.dispose();
  }
}
