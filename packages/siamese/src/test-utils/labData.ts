import { makePairs, subsetSplit, type Mnist, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';

let mnist: Promise<Mnist> | undefined;

/** The lab's data: 10% subsets of MNIST train/test (6000/1000 images), 10000 train and 2000 test pairs, seeded. */
export async function labPairs(seed: number): Promise<{ train: PairSet; test: PairSet }> {
  mnist ??= loadMnist();
  const { train, test } = await mnist;
  return {
    train: makePairs(subsetSplit(train, 0.1, seed), 10000, seed + 1),
    test: makePairs(subsetSplit(test, 0.1, seed + 2), 2000, seed + 3),
  };
}
