import { IMAGE_PIXELS, makePairs, subsetSplit, type Mnist, type MnistSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RunConfig } from './runConfigSchema.js';
import { ConfigError } from '@prune/cli/process';
import { deriveSeed } from './deriveSeed.js';

/** MNIST from the configured source; errors name the folder. */
export async function loadConfiguredMnist(config: Pick<RunConfig, 'data'>): Promise<Mnist> {
  if (config.data === null) return loadMnist({ source: { kind: 'embedded' } });
  try {
    return await loadMnist({ source: { kind: 'folder', path: config.data } });
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.includes(config.data) ? message : `--data ${config.data}: ${message}`);
  }
}

/** The pairs of one seed: training, test (evaluation) and calibration (ranking) sets. */
export interface SeedData {
  train: PairSet;
  test: PairSet;
  /** The pairs channels are ranked on: the test pairs themselves (the reference) or held-out train pairs. */
  calibration: PairSet;
  /** True when the calibration images are disjoint from both the training and the test images. */
  heldOut: boolean;
  /** The pairs of the other ranking split (held-out train pairs when ranking on test, and the reverse): the report's leak measurement; null when it does not fit. */
  otherCalibration: PairSet | null;
}

/** The images of `split` at `indices`, as a new split (recording their source indices). */
export function splitFromIndices(split: MnistSplit, indices: Int32Array): MnistSplit {
  const images = new Float32Array(indices.length * IMAGE_PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    images.set(split.images.subarray(src * IMAGE_PIXELS, (src + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = split.labels[src] as number;
  });
  return { images, labels, count: indices.length, sourceIndices: Int32Array.from(indices, (i) => split.sourceIndices?.[i] ?? i) };
}

/** A seeded sample of `size` indices of 0 … n-1 that avoids `exclude`, in drawn order. */
export function sampleExcluding(n: number, size: number, exclude: ArrayLike<number>, seed: number): Int32Array {
  const excluded = new Uint8Array(n);
  for (let i = 0; i < exclude.length; i++) excluded[exclude[i] as number] = 1;
  const pool = new Int32Array(n - excluded.reduce((a, b) => a + b, 0));
  let p = 0;
  for (let i = 0; i < n; i++) if (!excluded[i]) pool[p++] = i;
  if (size > pool.length) throw new Error(`cannot draw ${size} held-out images: only ${pool.length} remain outside the training subset`);
  const rng = xoroshiro128plus(seed);
  for (let i = 0; i < size; i++) {
    const j = uniformInt(rng, i, pool.length - 1);
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
  }
  return pool.slice(0, size);
}

/** A seeded subset; a fraction that selects no image is a ConfigError naming its flag. */
function subsetOf(split: MnistSplit, fraction: number, seed: number, flag: string): MnistSplit {
  try {
    return subsetSplit(split, fraction, seed);
  } catch (error) {
    throw new ConfigError(`${flag} ${fraction}: ${(error as Error).message}`);
  }
}

/**
 * Exactly `count` pairs of `split`'s images. Images that cannot give them (one digit only; digits with a single
 * image, which yield no positive pair) are a ConfigError naming both flags, before any training.
 */
function pairsOf(split: MnistSplit, count: number, seed: number, flags: { pairs: string; images: string }): PairSet {
  let pairs: PairSet;
  try {
    pairs = makePairs(split, count, seed);
  } catch (error) {
    throw new ConfigError(`${flags.pairs} ${count} from ${split.count} image(s) (${flags.images}): ${(error as Error).message}; use more images`);
  }
  if (pairs.count !== count) {
    throw new ConfigError(`${flags.pairs} ${count}: the ${split.count} image(s) of ${flags.images} give only ${pairs.count} pairs (a digit with a single image yields no positive pair); use more images or fewer pairs`);
  }
  return pairs;
}

/** Subsets and pairs of one seed, as the reference builds them, plus the calibration split asked for. */
export function buildSeedData(mnist: Mnist, config: RunConfig, seed: number): SeedData {
  const trainSplit = subsetOf(mnist.train, config.trainFraction, deriveSeed(seed, 'train-subset'), '--train-fraction');
  const testSplit = subsetOf(mnist.test, config.testFraction, deriveSeed(seed, 'test-subset'), '--test-fraction');
  const train = pairsOf(trainSplit, config.trainPairs, deriveSeed(seed, 'train-pairs'), { pairs: '--train-pairs', images: `--train-fraction ${config.trainFraction}` });
  const test = pairsOf(testSplit, config.testPairs, deriveSeed(seed, 'test-pairs'), { pairs: '--test-pairs', images: `--test-fraction ${config.testFraction}` });
  // The held-out split is drawn from its own derived seeds, so building it changes none of the other pairs; when
  // ranking on the test pairs it is only the report's comparison, left out where it does not fit.
  const size = Math.floor(mnist.train.count * config.calibrationFraction);
  const flag = `--calibration-fraction ${config.calibrationFraction}`;
  let indices: Int32Array;
  try {
    indices = sampleExcluding(mnist.train.count, size, trainSplit.sourceIndices ?? [], deriveSeed(seed, 'calibration-subset'));
  } catch (error) {
    if (config.calibration === 'test') return { train, test, calibration: test, heldOut: false, otherCalibration: null };
    throw new ConfigError(`${flag}: ${(error as Error).message}; lower --calibration-fraction or --train-fraction`);
  }
  const calibrationSplit = splitFromIndices(mnist.train, indices);
  const heldOut = pairsOf(calibrationSplit, config.calibrationPairs, deriveSeed(seed, 'calibration-pairs'), { pairs: '--calibration-pairs', images: flag });
  if (config.calibration === 'test') return { train, test, calibration: test, heldOut: false, otherCalibration: heldOut };
  return { train, test, calibration: heldOut, heldOut: true, otherCalibration: test };
}
