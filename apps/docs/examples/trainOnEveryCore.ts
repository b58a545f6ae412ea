import { makePairs, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';
import { trainSiameseParallel } from '@prune/siamese/node';

/**
 * Trains the lab's network on `threads` model replicas (worker threads, one wasm
 * thread each): every batch is split between them and their gradients are summed
 * in a fixed order. The caller has selected the wasm backend.
 */
export async function trainOnEveryCore(
  threads?: number,
  trainPairs = 640,
  seed = 1,
) {
  const mnist = await loadMnist();
  const train = makePairs(subsetSplit(mnist.train, 0.1, seed), trainPairs, seed);
  const model = createSiameseModel({ seed });
  // threads: default every core; 1 trains on this thread, exactly as trainSiamese
  const history = await trainSiameseParallel(model, train, { epochs: 3, seed, threads });
  const losses = history.epochs.map((e) => e.loss.toFixed(3)).join(' → ');
  const took = `${history.seconds.toFixed(1)} s`;
  console.log(`${history.replicas} replica(s): loss ${losses} in ${took}`);
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  model.dispose();
  return { history, weights };
}
