import { gather, getBackend, setBackend, tensor, tensor1d, tensor4d, tidy, type Tensor } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { createMaskEvaluator, type MaskEvaluator } from '@prune/core';
import { registerSiameseFusion } from '@prune/siamese';
// The wasm binaries are bundled as local assets: the page loads them from its own folder, never from a CDN.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { ProgressCallback } from './evaluateMask';
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

/** The loaded what-if model: @prune/core's mask evaluator over the evaluation pairs, ready for one evaluation per change. */
export interface WhatIfEngine {
  model: LayersModel;
  evaluator: MaskEvaluator;
  /** Where the upstream activations came from. */
  source: 'features' | 'images';
  /** Time to load the model and prepare the caches, in milliseconds. */
  prepareMs: number;
}

/** For each model input, the pair row (e.g. 'left') that feeds it: by name when they match, else by position. */
export function rowOfInput(model: LayersModel, rows: readonly string[]): number[] {
  const names = model.inputs.map((s) => s.name.replace(/[:/].*$/, ''));
  if (names.length !== rows.length) throw new Error(`The what-if model has ${names.length} inputs (${names.join(', ')}); the pairs have ${rows.length} rows (${rows.join(', ')})`);
  const byName = names.map((n) => rows.indexOf(n));
  return byName.every((r) => r >= 0) && new Set(byName).size === rows.length ? byName : names.map((_, i) => i);
}

/**
 * Loads the run's trained model and prepares @prune/core's mask evaluator on the test pairs: from the features of
 * every test image at the cut after the pruned layer when the run ships them (each pair gathers its two images'),
 * else from the pairs' images, run once up to the layer's first consumer (with progress). Each mask then costs only
 * the per-channel update of that consumer and the layers after it.
 */
export async function prepareWhatIf(data: ViewerData, onProgress: ProgressCallback): Promise<WhatIfEngine> {
  const started = performance.now();
  registerSiameseFusion();
  const model = await loadLayersModel(data.modelUrl);
  try {
    const rows = rowOfInput(model, data.index.pairs.rows);
    const unitOfExample = rows.map((row) => data.pairRows[row] as Int32Array);
    const shipped = data.index.features;
    const options = { batchSize: 250, onProgress };
    let evaluator: MaskEvaluator;
    let source: WhatIfEngine['source'];
    if (shipped && data.features) {
      const features = tensor(data.features, shipped.shape); // [images, h, w, C] at the cut
      try {
        evaluator = await createMaskEvaluator(model, data.index.layer, { features: { layer: shipped.cut, values: features, unitOfExample }, labels: data.labels }, options);
      } finally {
        features.dispose();
      }
      source = 'features';
    } else {
      const inputs = tidy(() => {
        const images = tensor4d(data.images, data.imageShape); // [images, 28, 28, 1]
        return unitOfExample.map((units) => gather(images, tensor1d(units, 'int32'))); // [pairs, 28, 28, 1] per input
      });
      try {
        evaluator = await createMaskEvaluator(model, data.index.layer, { inputs, labels: data.labels }, options);
      } finally {
        inputs.forEach((t: Tensor) => t.dispose());
      }
      source = 'images';
    }
    return { model, evaluator, source, prepareMs: performance.now() - started };
  } catch (error) {
    model.dispose();
    throw error;
  }
}
