// Names the API examples use without building them: a user's model and data. Every example is typechecked with
// these declared (scripts/apiDocs.ts); anything else an example uses it imports or defines itself.
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EvalData } from '@prune/core';
import type { Results } from '@prune/report';

declare global {
  /** A user's tfjs-layers model. */
  const model: LayersModel;
  /** A model `pruneModel` or `pruneChannels` returned. */
  const pruned: LayersModel;
  /** Examples to evaluate or rank on: inputs in `model.inputs` order and labels. */
  const data: EvalData;
  /** Images of a batch, [N, H, W, C]. */
  const images: tf.Tensor4D;
  /** A run's results.json, parsed with `parseResults`. */
  const results: Results;
}
