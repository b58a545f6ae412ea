import { IMAGE_PIXELS } from './constants';
import { createRng, samplePermutation } from './random';
import type { MnistSplit } from './types';

/**
 * A seeded random subset of floor(count × fraction) images drawn without replacement (the lab takes 10%),
 * in drawn order; `sourceIndices` records where each came from.
 *
 * @param split - the images to draw from.
 * @param fraction - the share to keep, in (0, 1].
 * @param seed - the same seed draws the same images.
 *
 * @example
 * ```ts
 * import { subsetSplit } from '@prune/mnist-pairs';
 * import { loadMnist } from '@prune/mnist-pairs/node';
 *
 * const mnist = await loadMnist();
 * const train = subsetSplit(mnist.train, 0.1, 0); // 6000 images, seeded
 * ```
 */
export function subsetSplit(split: MnistSplit, fraction: number, seed: number): MnistSplit {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`subsetSplit: fraction must be in (0, 1], got ${fraction}`);
  const size = Math.floor(split.count * fraction);
  if (size === 0) throw new Error(`subsetSplit: fraction ${fraction} of ${split.count} images selects none`);
  const indices = samplePermutation(createRng(seed, 'subsetSplit: seed'), split.count, size);
  const images = new Float32Array(size * IMAGE_PIXELS);
  const labels = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const src = indices[i]!;
    images.set(split.images.subarray(src * IMAGE_PIXELS, (src + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = split.labels[src]!;
  }
  const sourceIndices =
    split.sourceIndices === undefined ? indices : indices.map((i) => split.sourceIndices![i]!);
  return { images, labels, count: size, sourceIndices };
}
