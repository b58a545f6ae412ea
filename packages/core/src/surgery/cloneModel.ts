import { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, LayersModel } from '@tensorflow/tfjs-layers';

/**
 * An independent copy of a model: its topology and weights are serialised and loaded back, exactly as saving
 * and loading would, so the copy shares no variable with the original. Custom layers must be registered with
 * tfjs serialisation (as they must be to save the model). The caller disposes the copy with `model.dispose()`.
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
  const copy = await loadLayersModel(io.fromMemory(artifacts));
  releaseNestedModels(copy);
  return copy;
}

/** The reference count tfjs-layers keeps on a model (private in its typings). */
interface Counted {
  _refCount: number | null;
}

/**
 * tfjs counts one reference per application of a nested model (plus one for its creation), but disposing the
 * outer model releases fewer, so the weights of a nested model applied twice would outlive `copy.dispose()`.
 * The copy is the only owner of its nested models: trim each count to the releases `dispose()` will make.
 */
function releaseNestedModels(root: LayersModel): void {
  const releases = new Map<LayersModel, number>();
  const visit = (container: LayersModel): void => {
    const children = [
      ...container.layers,
      ...((container as unknown as { internalContainerRefs?: LayersModel[] }).internalContainerRefs ?? []),
    ];
    for (const layer of children) {
      if (!(layer instanceof LayersModel)) continue;
      const seen = releases.has(layer);
      releases.set(layer, (releases.get(layer) ?? 0) + 1);
      if (!seen) visit(layer);
    }
  };
  visit(root);
  for (const [nested, count] of releases) {
    const counted = nested as unknown as Counted;
    if (typeof counted._refCount === 'number' && counted._refCount > count) counted._refCount = count;
  }
}
