import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_KEYS, MNIST_FILE_NAMES, MNIST_SHA256 } from '../constants';
import { loadMnist } from './loadMnist';
import { idxBytes, imagesIdx, labelsIdx, removeTempDirs, tempDir } from '../test-utils/idxFixtures';
import type { Mnist } from '../types';
import { sha256Hex } from './downloadMnist';
import { embeddedMnistDir } from './embeddedMnistDir';
import { findMnistFiles } from './findMnistFiles';
import { readIdxFile } from './readIdxFile';

const embedded = embeddedMnistDir();
const embeddedPath = (key: (typeof MNIST_FILE_KEYS)[number]): string => join(embedded, MNIST_FILE_NAMES[key]);

let reference: Mnist;
beforeAll(async () => {
  reference = await loadMnist({ source: { kind: 'embedded' } });
});
afterAll(removeTempDirs);

/** A folder holding small synthetic MNIST files, with any file replaced. */
function syntheticFolder(replace: Partial<Record<(typeof MNIST_FILE_KEYS)[number], Uint8Array>> = {}): string {
  const dir = tempDir();
  const files = {
    trainImages: imagesIdx(4),
    trainLabels: labelsIdx([0, 1, 2, 3]),
    testImages: imagesIdx(2),
    testLabels: labelsIdx([5, 6]),
    ...replace,
  };
  for (const key of MNIST_FILE_KEYS) writeFileSync(join(dir, MNIST_FILE_NAMES[key]), files[key]);
  return dir;
}

describe('embedded source', () => {
  it('is the original MNIST: every file matches its published SHA-256', async () => {
    for (const key of MNIST_FILE_KEYS) expect(sha256Hex(await readIdxFile(embeddedPath(key)))).toBe(MNIST_SHA256[key]);
  });
});

describe('folder source', () => {
  it("reads torchvision's MNIST/raw layout with a mix of plain and .gz files, equal to the embedded data", async () => {
    const root = tempDir();
    const raw = join(root, 'MNIST', 'raw');
    mkdirSync(raw, { recursive: true });
    symlinkSync(embeddedPath('trainImages'), join(raw, 'train-images-idx3-ubyte'));
    writeFileSync(join(raw, 'train-labels-idx1-ubyte.gz'), gzipSync(readFileSync(embeddedPath('trainLabels')), { level: 1 }));
    writeFileSync(join(raw, 't10k-images-idx3-ubyte.gz'), gzipSync(readFileSync(embeddedPath('testImages')), { level: 1 }));
    copyFileSync(embeddedPath('testLabels'), join(raw, 't10k-labels.idx1-ubyte'));
    const mnist = await loadMnist({ source: { kind: 'folder', path: root } });
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(Buffer.from(mnist.train.labels.buffer).equals(Buffer.from(reference.train.labels.buffer))).toBe(true);
    expect(Buffer.from(mnist.test.images.buffer).equals(Buffer.from(reference.test.images.buffer))).toBe(true);
    expect(Buffer.from(mnist.train.images.buffer).equals(Buffer.from(reference.train.images.buffer))).toBe(true);
  });

  it('lists every path it looked at for a missing file', () => {
    const dir = syntheticFolder();
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    expect(() => findMnistFiles(dir)).toThrow(
      new RegExp(
        `missing file\\(s\\):\\n  t10k-labels-idx1-ubyte: looked for ${dir}/t10k-labels-idx1-ubyte, ${dir}/t10k-labels-idx1-ubyte\\.gz, ` +
          `.*${dir}/MNIST/raw/t10k-labels-idx1-ubyte.*${dir}/raw/t10k-labels\\.idx1-ubyte\\.gz`,
      ),
    );
    expect(() => findMnistFiles(join(dir, 'nope'))).toThrow(/nope: does not exist or is not a directory/);
  });

  it('gives errors naming the file for truncated, corrupted and mismatched files', async () => {
    const load = (dir: string) => loadMnist({ source: { kind: 'folder', path: dir } });
    const truncated = syntheticFolder({ trainImages: imagesIdx(4).subarray(0, 1000) });
    await expect(load(truncated)).rejects.toThrow(`IDX file ${join(truncated, 'train-images-idx3-ubyte')}: truncated`);
    const magic = imagesIdx(2);
    magic[1] = 0xff;
    const corrupted = syntheticFolder({ testImages: magic });
    await expect(load(corrupted)).rejects.toThrow(`IDX file ${join(corrupted, 't10k-images-idx3-ubyte')}: corrupted magic number 0x00ff0803`);
    const mismatched = syntheticFolder({ testLabels: labelsIdx([1, 2, 3]) });
    await expect(load(mismatched)).rejects.toThrow(
      `MNIST files mismatched: ${join(mismatched, 't10k-images-idx3-ubyte')} has 2 images but ${join(mismatched, 't10k-labels-idx1-ubyte')} has 3 labels`,
    );
    const size = syntheticFolder({ trainImages: idxBytes([1, 32, 32], new Uint8Array(1024)) });
    await expect(load(size)).rejects.toThrow(/train-images-idx3-ubyte: wrong image size 32×32, expected 28×28/);
    const badGz = syntheticFolder();
    writeFileSync(join(badGz, 'train-labels-idx1-ubyte'), Buffer.concat([gzipSync(labelsIdx([0, 1, 2, 3])).subarray(0, 20)]));
    await expect(load(badGz)).rejects.toThrow(/train-labels-idx1-ubyte: corrupted gzip data/);
    const ok = await load(syntheticFolder());
    expect([ok.train.count, ok.test.count]).toEqual([4, 2]);
  });
});
