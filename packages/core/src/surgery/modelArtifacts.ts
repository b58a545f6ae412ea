import { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { repairTopology, type JsonObject } from './modelTopology';

/**
 * The artifacts of a model as `model.save` produces them (topology, weight specs, one weight buffer), held in
 * memory, with what tfjs-layers 4.22 leaves out of the topology put back (SeparableConv2D's depth multiplier), so
 * that loading them gives the same model. Write them with any IOHandler's `save`, or quantize them first.
 *
 * @param model - the model.
 *
 * @example
 * ```ts
 * import { modelArtifacts, quantizeArtifacts } from '@prune/core';
 * import { fileSystem } from '@prune/core/node';
 *
 * const { artifacts } = quantizeArtifacts(await modelArtifacts(pruned), 'float16');
 * await fileSystem('pruned-f16').save!(artifacts);
 * ```
 */
export async function modelArtifacts(model: LayersModel): Promise<io.ModelArtifacts> {
  let artifacts: io.ModelArtifacts | undefined;
  await model.save(
    io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === undefined) throw new Error(`modelArtifacts: model '${model.name}' produced no artifacts when saved`);
  return { ...artifacts, modelTopology: repairTopology(artifacts.modelTopology as JsonObject, artifacts.weightSpecs ?? []) };
}
