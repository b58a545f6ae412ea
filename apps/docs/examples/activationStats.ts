import * as tf from '@tensorflow/tfjs-core';
import { collectActivationStats, tapLayers } from '@prune/activations';
import { makePairs, pairBatches, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';

/**
 * The two inputs of each batch of pairs, in the model's input order (labels are not
 * needed here).
 */
function* pairInputs(pairs: PairSet): Generator<tf.Tensor[]> {
  for (const batch of pairBatches(pairs, { batchSize: 50 })) {
    batch.labels.dispose();
    yield [batch.left, batch.right]; // disposed by collectActivationStats (disposeInputs)
  }
}

/**
 * The lab's statistics: conv2's output before its ReLU, both branches of every pair,
 * per channel.
 */
export async function conv2Statistics(numPairs = 100, seed = 1) {
  const mnist = await loadMnist();
  const pairs = makePairs(subsetSplit(mnist.test, 0.1, seed), numPairs, seed);
  // untrained but seeded: the statistics are exact either way
  const model = createSiameseModel({ seed });

  // A forward hook: the shared encoder's conv2 runs once per branch, so it reports two
  // applications per batch.
  const applications: Array<{ application: number; shape: number[] }> = [];
  const restore = tapLayers(model, ['encoder/conv2'], (_path, output, application) => {
    applications.push({ application, shape: output.shape }); // output: [B, 14, 14, 32]
  });
  // one batch of 50 pairs
  const first = pairBatches(pairs, { batchSize: 50 }).next().value!;
  (model.predict([first.left, first.right], { batchSize: 50 }) as tf.Tensor).dispose();
  restore(); // the model is back to normal
  tf.dispose([first.left, first.right, first.labels]);

  // Streamed over every batch, accumulated in float64; the model's output comes from
  // the same pass.
  const stats = await collectActivationStats(model, pairInputs(pairs), {
    layers: ['conv2'],
    disposeInputs: true,
  });
  const conv2 = stats.conv2!;
  console.log(
    `${conv2.images} images, ${conv2.channels} channels, ` +
      `mean map [${conv2.mapShape.join(', ')}]`,
  );
  console.log(
    'weakest by mean activation:',
    [...conv2.mean]
      .map((m, c) => [c, m] as const)
      .sort((a, b) => a[1] - b[1])
      .slice(0, 4),
  );
  return { model, pairs, applications, stats: conv2 };
}
