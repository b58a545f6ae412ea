import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * Makes `model.dispose()` free the weights of nested models applied more than once (the shared encoder).
 *
 * tfjs counts one reference for a nested model's creation plus one per application, and disposing the outer model
 * releases two: a nested model applied twice would keep its weights alive. The outer model is the only owner of a
 * nested model built by the factory or by a loader, so the surplus references are dropped here.
 *
 * @param model - a model whose nested models are applied more than once.
 *
 * @example
 * ```ts
 * import { releaseSharedSubmodels } from '@prune/siamese';
 *
 * releaseSharedSubmodels(model);
 * model.dispose(); // frees the shared encoder's weights too
 * ```
 */
export function releaseSharedSubmodels(model: LayersModel): void {
  for (const layer of model.layers) {
    if (!Array.isArray((layer as unknown as { layers?: unknown }).layers)) continue;
    const applications = layer.inboundNodes.length - 1; // node 0 is the nested model's own graph
    for (let i = 1; i < applications; i++) layer.dispose();
  }
}
