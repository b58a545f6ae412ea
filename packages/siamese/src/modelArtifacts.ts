import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedSubmodels } from './releaseSharedSubmodels';
import { registerSiameseFusion } from './siameseFusion';

/**
 * Serialises a model to in-memory tfjs artifacts (topology + one weights ArrayBuffer): the browser-friendly form,
 * which can be posted to a worker, stored in IndexedDB or written as model.json + weights.bin.
 *
 * @param model - a Siamese model.
 *
 * @example
 * ```ts
 * import { siameseFromArtifacts, siameseToArtifacts } from '@prune/siamese';
 *
 * const artifacts = await siameseToArtifacts(model); // topology + weights in memory
 * const copy = await siameseFromArtifacts(artifacts);
 * ```
 */
export async function siameseToArtifacts(model: LayersModel): Promise<io.ModelArtifacts> {
  let captured: io.ModelArtifacts | undefined;
  await model.save(
    io.withSaveHandler(async (artifacts) => {
      captured = { ...artifacts, weightData: io.CompositeArrayBuffer.join(artifacts.weightData) };
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON(captured) };
    }),
  );
  if (!captured) throw new Error(`siameseToArtifacts: model '${model.name}' produced no artifacts`);
  return captured;
}

/**
 * Rebuilds a Siamese model (or any tfjs-layers model using SiameseFusion) from tfjs artifacts.
 *
 * @param artifacts - what `siameseToArtifacts` (or any IOHandler) gives.
 *
 * @example
 * ```ts
 * import { siameseFromArtifacts, siameseToArtifacts } from '@prune/siamese';
 *
 * const copy = await siameseFromArtifacts(await siameseToArtifacts(model));
 * ```
 */
export async function siameseFromArtifacts(artifacts: io.ModelArtifacts): Promise<LayersModel> {
  return loadSiameseFrom(io.fromMemory(artifacts));
}

/**
 * Loads through any tfjs IOHandler (e.g. `io.http(url)` in a browser) with the fusion layer registered.
 *
 * @param handler - a tfjs IOHandler: `fileSystem(dir)` in Node, `io.browserHTTPRequest(url)` in a browser.
 *
 * @example
 * ```ts
 * import { fileSystem } from '@prune/core/node';
 * import { loadSiameseFrom } from '@prune/siamese';
 *
 * await model.save(fileSystem('runs/latest/model'));
 * const siamese = await loadSiameseFrom(fileSystem('runs/latest/model'));
 * ```
 */
export async function loadSiameseFrom(handler: io.IOHandler): Promise<LayersModel> {
  registerSiameseFusion();
  const model = await loadLayersModel(handler);
  releaseSharedSubmodels(model);
  return model;
}
