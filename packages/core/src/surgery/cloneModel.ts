import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedLayers } from '../graph/modelTree';
import { modelArtifacts } from './modelArtifacts';

/**
 * An independent copy of a model: its artifacts ({@link modelArtifacts}) loaded back, exactly as saving and loading
 * would, so the copy shares no variable with the original. Custom layers must be registered with tfjs
 * serialisation (as they must be to save the model). The caller disposes the copy with `model.dispose()`.
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
  const copy = await loadLayersModel(io.fromMemory(await modelArtifacts(model)));
  releaseSharedLayers(copy);
  return copy;
}
