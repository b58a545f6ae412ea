import type { MnistFileKey } from './constants';
import { MNIST_FILE_NAMES } from './constants';
import { normalizePixels } from './normalizePixels';
import { parseIdxImages, parseIdxLabels } from './parseIdx';
import type { Mnist, MnistSplit } from './types';

/** The four MNIST IDX files as (uncompressed) bytes, with optional names used in errors. */
export interface MnistIdxBytes {
  /** Bytes of each file. */
  files: Record<MnistFileKey, Uint8Array>;
  /** Name of each file in errors (defaults to the canonical file names). */
  names?: Partial<Record<MnistFileKey, string>>;
}

/**
 * Builds one normalised split from the bytes of an images file and a labels file.
 *
 * @param images - an uncompressed IDX image file's bytes.
 * @param labels - an uncompressed IDX label file's bytes.
 * @param imagesName - the image file name, used in errors.
 * @param labelsName - the label file name, used in errors.
 *
 * @example
 * ```ts
 * import { splitFromIdx } from '@prune/mnist-pairs';
 *
 * declare const images: Uint8Array, labels: Uint8Array; // the two t10k files
 * const test = splitFromIdx(images, labels, 't10k-images', 't10k-labels');
 * ```
 */
export function splitFromIdx(images: Uint8Array, labels: Uint8Array, imagesName: string, labelsName: string): MnistSplit {
  const { pixels, count } = parseIdxImages(images, imagesName);
  const labelView = parseIdxLabels(labels, labelsName);
  if (labelView.length !== count) {
    throw new Error(
      `MNIST files mismatched: ${imagesName} has ${count} images but ${labelsName} has ${labelView.length} labels`,
    );
  }
  // Labels are copied (small) so the split does not pin the file buffer; pixels go straight to float32.
  return { images: normalizePixels(pixels), labels: labelView.slice(), count };
}

/**
 * Parses and normalises the four MNIST IDX files (pure: works on any Uint8Array, in Node or a browser).
 *
 * @param bytes - `files`: the four uncompressed IDX files by key; `names`: how errors name them.
 *
 * @example
 * ```ts
 * import { MNIST_FILE_KEYS, MNIST_FILE_NAMES, mnistFromIdx } from '@prune/mnist-pairs';
 *
 * // In a browser: fetch the four (uncompressed) files, then parse them.
 * const get = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
 * const entries = MNIST_FILE_KEYS.map(async (k) => {
 *   return [k, await get(`/mnist/${MNIST_FILE_NAMES[k]}`)];
 * });
 * const mnist = mnistFromIdx({ files: Object.fromEntries(await Promise.all(entries)) });
 * ```
 */
export function mnistFromIdx({ files, names = {} }: MnistIdxBytes): Mnist {
  const name = (key: MnistFileKey): string => names[key] ?? MNIST_FILE_NAMES[key];
  return {
    train: splitFromIdx(files.trainImages, files.trainLabels, name('trainImages'), name('trainLabels')),
    test: splitFromIdx(files.testImages, files.testLabels, name('testImages'), name('testLabels')),
  };
}
