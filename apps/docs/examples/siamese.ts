import { makePairs, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { fileSystem } from '@prune/core/node';
import {
  createSiameseModel,
  evaluateSiamese,
  loadSiameseFrom,
  predictPairs,
  trainSiamese,
} from '@prune/siamese';

/**
 * Builds the lab's Siamese network, trains it briefly, evaluates it, and round-trips it
 * through a folder.
 */
export async function trainBriefly(dir: string, trainPairs = 480, seed = 1) {
  const mnist = await loadMnist();
  const train = makePairs(subsetSplit(mnist.train, 0.1, seed), trainPairs, seed);
  const test = makePairs(subsetSplit(mnist.test, 0.1, seed), 200, seed);

  // inputs 'left' and 'right', output p = P(same digit)
  const model = createSiameseModel({ seed });
  const history = await trainSiamese(model, train, {
    // the lab trains 10 epochs of 10000 pairs in batches of 64; this is a quick look
    epochs: 1,
    batchSize: 16,
    seed,
    onEpoch: (e) =>
      console.log(
        `epoch ${e.epoch}: loss ${e.loss.toFixed(3)}, ` +
          `${e.pairsPerSecond.toFixed(0)} pairs/s`,
      ),
  });
  // { accuracy (p ≥ 0.5), loss, auc, count }
  const evaluation = await evaluateSiamese(model, test);
  console.log(
    `test: accuracy ${evaluation.accuracy.toFixed(3)}, AUC ${evaluation.auc.toFixed(3)}`,
  );

  await model.save(fileSystem(dir)); // dir/model.json + dir/weights.bin
  const loaded = await loadSiameseFrom(fileSystem(dir)); // registers the fusion layer
  const [before, after] = [
    await predictPairs(model, test),
    await predictPairs(loaded, test),
  ];
  const parameters = model.countParams();
  model.dispose();
  loaded.dispose();
  return { parameters, history, evaluation, test, before, after };
}
