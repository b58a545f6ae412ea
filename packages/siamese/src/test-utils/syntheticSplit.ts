import { makePairs, type MnistSplit, type PairSet } from '@prune/mnist-pairs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * A small MNIST-shaped split that is easy to learn: each class c is a bright 7×7 block at a class-specific place
 * on a noisy background.
 */
export function syntheticSplit(count: number, seed: number, classes = 10): MnistSplit {
  const rng = xoroshiro128plus(seed);
  const uniform = () => (rng.next() >>> 0) / 2 ** 32;
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % classes;
    labels[i] = c;
    const top = 3 + 7 * Math.floor(c / 3);
    const left = 3 + 7 * (c % 3);
    for (let p = 0; p < 784; p++) images[i * 784 + p] = -0.4 + 0.6 * uniform();
    for (let y = top; y < top + 7; y++) for (let x = left; x < left + 7; x++) images[i * 784 + y * 28 + x] = 2.5;
  }
  return { images, labels, count };
}

/** Lab-style pairs over a synthetic split. */
export function syntheticPairs(images: number, pairs: number, seed: number): PairSet {
  return makePairs(syntheticSplit(images, seed), pairs, seed + 1);
}
