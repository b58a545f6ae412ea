import { getBackend, setBackend, tensor, tensor4d, type Tensor } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { registerSiameseFusion } from '@prune/siamese';
// The wasm binaries are bundled as local assets: the page loads them from its own folder, never from a CDN.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { computeFeatures, planCut, type MaskedModel, type ProgressCallback } from './maskedModel';
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

/** The loaded what-if model: the masked model over the evaluation pairs, ready for one evaluation per change. */
export interface WhatIfEngine {
  model: LayersModel;
  masked: MaskedModel;
  labels: Uint8Array;
  /** Where the cached activations came from. */
  source: 'features' | 'images';
  /** Time to load the model and prepare the caches, in milliseconds. */
  prepareMs: number;
}

/** For each model input, the pair row (e.g. 'left') that feeds it: by name when they match, else by position. */
function rowOfInput(model: LayersModel, rows: readonly string[]): number[] {
  const names = model.inputs.map((s) => s.name.replace(/[:/].*$/, ''));
  if (names.length !== rows.length) throw new Error(`The what-if model has ${names.length} inputs (${names.join(', ')}); the pairs have ${rows.length} rows (${rows.join(', ')})`);
  const byName = names.map((n) => rows.indexOf(n));
  return byName.every((r) => r >= 0) && new Set(byName).size === rows.length ? byName : names.map((_, i) => i);
}

/**
 * Loads the run's trained model and prepares the activations at the cut after the pruned layer for every test
 * image: the features the run ships when it has them, else computed once here from the images (with progress).
 * Pairs then gather their two images' values, and each mask costs only what follows the cut.
 */
export async function prepareWhatIf(data: ViewerData, onProgress: ProgressCallback): Promise<WhatIfEngine> {
  const started = performance.now();
  registerSiameseFusion();
  const model = await loadLayersModel(data.modelUrl);
  try {
    let plan = planCut(model, data.index.layer);
    if (plan.applicationInputs.length === 0 || plan.scopeInputCount !== 1) {
      throw new Error(`Layer '${data.index.layer}' is not inside an encoder shared by the pair inputs; the viewer evaluates pair models`);
    }
    const rows = rowOfInput(model, data.index.pairs.rows);
    const unitOfExample = rows.map((row) => data.pairRows[row] as Int32Array);
    const shipped = data.index.features;
    let features: Tensor;
    let source: WhatIfEngine['source'];
    if (shipped && data.features) {
      plan = plan.cutAfter(shipped.passThrough);
      features = tensor(data.features, shipped.shape); // [images, h, w, C]
      source = 'features';
      onProgress(1, 1);
    } else {
      const images = tensor4d(data.images, data.imageShape); // [images, 28, 28, 1]
      try {
        features = await computeFeatures(plan, [images], { batchSize: 200, onProgress });
      } finally {
        images.dispose();
      }
      source = 'images';
    }
    const masked = plan.withData({ features, unitOfExample });
    return { model, masked, labels: data.labels, source, prepareMs: performance.now() - started };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
