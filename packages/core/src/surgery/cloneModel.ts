import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedLayers } from '../graph/modelTree';
import { repairTopology, type JsonObject } from './modelTopology';

/**
 * An independent copy of a model: its topology and weights are serialised and loaded back, exactly as saving
 * and loading would (with SeparableConv2D's depth multiplier, which tfjs-layers 4.22 does not serialise, put back),
 * so the copy shares no variable with the original. Custom layers must be registered with
 * tfjs serialisation (as they must be to save the model). The caller disposes the copy with `model.dispose()`.
 *
 * @param model - the model to copy.
 * @returns An independent copy with the same weights.
 *
 * @example
 * ```ts
 * import { cloneModel } from '@prune/core';
 *
 * const copy = await cloneModel(model); // train the copy, keep the original
 * ```
 */
export async function cloneModel(model: LayersModel): Promise<LayersModel> {
  let artifacts: io.ModelArtifacts | undefined;
  await model.save(
    io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === undefined) throw new Error(`cloneModel: model '${model.name}' produced no artifacts when saved`);
  artifacts.modelTopology = repairTopology(model, artifacts.modelTopology as JsonObject);
  const copy = await loadLayersModel(io.fromMemory(artifacts));
  releaseSharedLayers(copy);
  return copy;
}
