import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Makes `model.dispose()` free the weights of nested models applied more than once (the siamese encoder).
 *
 * tfjs-layers 4.22 counts one reference for a nested model's creation plus one per application, and disposing the
 * outer model releases two: a nested model applied twice would keep its weights alive. The builder's outer model is
 * the only owner of its nested models, so the surplus references are dropped here. A local copy of the trick in
 * packages/siamese/src/releaseSharedSubmodels.ts: the zoo depends on none of our packages.
 */
export function releaseSharedSubmodels(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (!Array.isArray((layer as unknown as { layers?: unknown }).layers)) continue;
    const applications = layer.inboundNodes.length - 1; // node 0 is the nested model's own graph
    for (let i = 1; i < applications; i++) layer.dispose();
  }
}
