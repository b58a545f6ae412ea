/**
 * `@prune/mnist-pairs`: MNIST parsing, normalisation, seeded subsets and pairs, in Node and in the browser.
 * Loading the files from disk is `@prune/mnist-pairs/node`.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MNIST_BASE_URL,
  IMAGE_PIXELS,
  IMAGE_SIZE,
  MNIST_FILE_KEYS,
  MNIST_FILE_NAMES,
  MNIST_MEAN,
  MNIST_SHA256,
  MNIST_STD,
  NUM_CLASSES,
} from './constants';
export type { MnistFileKey } from './constants';
export type { Mnist, MnistSource, MnistSplit, PairBatch, PairSet } from './types';
export { isGzip, parseIdx, parseIdxImages, parseIdxLabels } from './parseIdx';
export type { IdxArray } from './parseIdx';
export { normalizePixels } from './normalizePixels';
export { mnistFromIdx, splitFromIdx } from './mnistFromIdx';
export type { MnistIdxBytes } from './mnistFromIdx';
export { subsetSplit } from './subsetSplit';
export { labelCounts } from './labelCounts';
export { makePairs } from './makePairs';
export { pairImages } from './pairImages';
export { pairBatches } from './pairBatches';
export type { PairBatchOptions } from './pairBatches';
