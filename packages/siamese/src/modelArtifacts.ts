import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedSubmodels } from './releaseSharedSubmodels';
import { registerSiameseFusion } from './siameseFusion';

/**
 * Serialises a model to in-memory tfjs artifacts (topology + one weights ArrayBuffer): the browser-friendly form,
 * which can be posted to a worker, stored in IndexedDB or written as model.json + weights.bin.
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

/** Rebuilds a Siamese model (or any tfjs-layers model using SiameseFusion) from tfjs artifacts. */
export async function siameseFromArtifacts(artifacts: io.ModelArtifacts): Promise<LayersModel> {
  return loadSiameseFrom(io.fromMemory(artifacts));
}

/** Loads through any tfjs IOHandler (e.g. `io.http(url)` in a browser) with the fusion layer registered. */
export async function loadSiameseFrom(handler: io.IOHandler): Promise<LayersModel> {
  registerSiameseFusion();
  const model = await loadLayersModel(handler);
  releaseSharedSubmodels(model);
  return model;
}
