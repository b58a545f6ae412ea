import { makePairs, pairBatches, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';

/**
 * The lab's data: a seeded 10% of MNIST train, balanced same/different pairs, and
 * tensor batches of them.
 */
export async function labPairs(numPairs = 1000, seed = 42) {
  // 60000 train / 10000 test, normalised (x/255 − 0.1307) / 0.3081
  const mnist = await loadMnist();
  // 6000 images, drawn without replacement
  const train = subsetSplit(mnist.train, 0.1, seed);
  // a same-digit pair, then a different-digit pair, numPairs/2 times
  const pairs = makePairs(train, numPairs, seed);

  let batches = 0;
  let positives = 0;
  for (const batch of pairBatches(pairs, { batchSize: 64, shuffle: true, seed })) {
    // batch.left, batch.right: [B, 28, 28, 1]; batch.labels: [B] float32, 1 = same digit
    for (const label of await batch.labels.data()) positives += label;
    batches += 1;
    batch.left.dispose(); // the caller owns every batch
    batch.right.dispose();
    batch.labels.dispose();
  }
  console.log(
    `${train.count} images, ${pairs.count} pairs (${positives} same digit) ` +
      `in ${batches} batches`,
  );
  return { mnist, train, pairs, batches, positives };
}
