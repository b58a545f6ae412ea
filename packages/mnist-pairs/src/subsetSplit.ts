import { IMAGE_PIXELS } from './constants';
import { createRng, samplePermutation } from './random';
import type { MnistSplit } from './types';

/**
 * A seeded random subset of floor(count × fraction) images drawn without replacement (the lab takes 10%),
 * in drawn order; `sourceIndices` records where each came from.
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
