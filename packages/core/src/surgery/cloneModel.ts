import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { releaseSharedLayers } from '../graph/modelTree';
import { modelArtifacts } from './modelArtifacts';

/**
 * An independent copy of a model: its artifacts ({@link modelArtifacts}) loaded back, exactly as saving and loading
 * would, so the copy shares no variable with the original. Custom layers must be registered with tfjs
 * serialisation (as they must be to save the model). The caller disposes the copy with `model.dispose()`.
 */
export async function cloneModel(model: LayersModel): Promise<LayersModel> {
  const copy = await loadLayersModel(io.fromMemory(await modelArtifacts(model)));
  releaseSharedLayers(copy);
  return copy;
}
