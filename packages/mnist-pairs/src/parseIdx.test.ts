import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MNIST_MEAN, MNIST_STD } from './constants';
import { mnistFromIdx, splitFromIdx } from './mnistFromIdx';
import { normalizePixels } from './normalizePixels';
import { isGzip, parseIdx, parseIdxImages, parseIdxLabels } from './parseIdx';
import { idxBytes, imagesIdx, labelsIdx } from './test-utils/idxFixtures';

describe('parseIdx', () => {
  it('reads big-endian dimensions and returns a view of the data, not a copy', () => {
    const bytes = idxBytes([2, 3], [1, 2, 3, 4, 5, 6]);
    const { dims, data } = parseIdx(bytes, 'x');
    expect(dims).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(data.buffer).toBe(bytes.buffer);
    const big = idxBytes([70000], new Uint8Array(70000));
    expect(parseIdx(big, 'big').dims).toEqual([70000]); // 0x00011170: every header byte matters
  });

  it('names the file and the fault: corrupted magic, wrong dtype, wrong rank', () => {
    const bad = labelsIdx([1, 2]);
    bad[0] = 0x12;
    expect(() => parseIdx(bad, 'labels.idx')).toThrow(/IDX file labels\.idx: corrupted magic number 0x12000801/);
    const floats = labelsIdx([1, 2]);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'f.idx')).toThrow(/f\.idx: .*dtype 0xd \(float\) is not supported/);
    const unknown = labelsIdx([1]);
    unknown[2] = 0x42;
    expect(() => parseIdx(unknown, 'u')).toThrow(/dtype 0x42 is not an IDX dtype/);
    expect(() => parseIdxImages(labelsIdx([1, 2]), 'img')).toThrow(/img: .*1 dimensions, expected 3/);
    expect(() => parseIdxLabels(imagesIdx(1), 'lab')).toThrow(/lab: .*3 dimensions, expected 1/);
  });

  it('names the file and the fault: truncated header, truncated data, trailing bytes', () => {
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny')).toThrow(/tiny: truncated: 2 bytes/);
    expect(() => parseIdx(imagesIdx(2).subarray(0, 10), 'head')).toThrow(/head: truncated: 10 bytes, the header of 3 dimensions needs 16/);
    const full = imagesIdx(3);
    expect(() => parseIdxImages(full.subarray(0, full.length - 1), 'cut')).toThrow(
      /cut: truncated: 2367 bytes, dimensions \[3, 28, 28\] need 2368/,
    );
    const long = new Uint8Array(full.length + 5);
    long.set(full);
    expect(() => parseIdxImages(long, 'long')).toThrow(/long: corrupted: .*5 trailing bytes/);
  });

  it('rejects wrong image sizes, out-of-range labels and gzip bytes', () => {
    expect(() => parseIdxImages(imagesIdx(2, 27, 28), 'small')).toThrow(/small: wrong image size 27×28, expected 28×28/);
    expect(() => parseIdxLabels(labelsIdx([3, 10]), 'lab')).toThrow(/lab: corrupted: label 10 at index 1/);
    const gz = new Uint8Array(gzipSync(labelsIdx([1])));
    expect(isGzip(gz)).toBe(true);
    expect(() => parseIdx(gz, 'g.gz')).toThrow(/g\.gz: is gzip-compressed/);
  });
});

describe('splitFromIdx / mnistFromIdx', () => {
  it('rejects an image count that differs from the label count, naming both files', () => {
    expect(() => splitFromIdx(imagesIdx(3), labelsIdx([1, 2]), 'imgs', 'labs')).toThrow(
      /mismatched: imgs has 3 images but labs has 2 labels/,
    );
  });

  it('normalises pixels with the lab transform', () => {
    const split = splitFromIdx(imagesIdx(2), labelsIdx([4, 9]), 'i', 'l');
    expect(split.count).toBe(2);
    expect(Array.from(split.labels)).toEqual([4, 9]);
    const raw = parseIdxImages(imagesIdx(2), 'i').pixels;
    for (const k of [0, 1, 255, 783, 784, 1567]) {
      expect(split.images[k]).toBeCloseTo((raw[k]! / 255 - MNIST_MEAN) / MNIST_STD, 6);
    }
    const mnist = mnistFromIdx({
      files: { trainImages: imagesIdx(2), trainLabels: labelsIdx([0, 1]), testImages: imagesIdx(1), testLabels: labelsIdx([7]) },
    });
    expect([mnist.train.count, mnist.test.count]).toEqual([2, 1]);
    expect(() =>
      mnistFromIdx({
        files: { trainImages: imagesIdx(2), trainLabels: labelsIdx([0, 1]), testImages: imagesIdx(1), testLabels: labelsIdx([7, 7]) },
      }),
    ).toThrow(/t10k-images-idx3-ubyte has 1 images but t10k-labels-idx1-ubyte has 2 labels/);
  });

  it('normalizePixels writes into a given buffer and checks its length', () => {
    const out = new Float32Array(3);
    expect(normalizePixels(new Uint8Array([0, 128, 255]), out)).toBe(out);
    expect(out[1]).toBe(Math.fround((128 / 255 - MNIST_MEAN) / MNIST_STD));
    expect(() => normalizePixels(new Uint8Array(4), out)).toThrow(/output length 3 differs from input length 4/);
  });
});
