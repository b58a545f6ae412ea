import { IMAGE_SIZE, NUM_CLASSES } from './constants';

/** An IDX array of unsigned bytes: its dimensions and a view (not a copy) of its data. */
export interface IdxArray {
  /** Sizes of each dimension, outermost first. */
  dims: number[];
  /** The values, row-major; a view into the parsed bytes. */
  data: Uint8Array;
}

const IDX_DTYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/**
 * True when the bytes start with the gzip magic number (0x1f 0x8b).
 *
 * @param bytes - a file's bytes.
 *
 * @example
 * ```ts
 * import { isGzip } from '@prune/mnist-pairs';
 *
 * const response = await fetch('/mnist/t10k-labels-idx1-ubyte.gz');
 * const bytes = new Uint8Array(await response.arrayBuffer());
 * console.log(isGzip(bytes)); // true: decompress before parsing
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** What an IDX header declares: the dimensions, the header's length and the length of the whole file. */
export interface IdxHeader {
  dims: number[];
  headerLength: number;
  /** Header plus data: the exact length of a well-formed file. */
  fileLength: number;
}

/**
 * Reads and checks an IDX header (magic number, dtype, number of dimensions) from the first bytes of a file.
 * Returns null when `bytes` is too short to hold the whole header yet (a stream can read on).
 */
export function readIdxHeader(bytes: Uint8Array, name: string, expectedDims?: number): IdxHeader | null {
  if (bytes.length < 4) return null;
  const [z0, z1, dtype, ndims] = bytes as unknown as [number, number, number, number];
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (z0 !== 0 || z1 !== 0) {
    throw new Error(`IDX file ${name}: corrupted magic number 0x${magic} (the first two bytes must be 0)`);
  }
  if (dtype !== 0x08) {
    const dtypeName = IDX_DTYPE_NAMES[dtype];
    throw new Error(
      `IDX file ${name}: corrupted magic number 0x${magic}: dtype 0x${dtype.toString(16)}` +
        (dtypeName === undefined ? ' is not an IDX dtype' : ` (${dtypeName}) is not supported, expected 0x08 (unsigned byte)`),
    );
  }
  if (expectedDims !== undefined && ndims !== expectedDims) {
    throw new Error(`IDX file ${name}: corrupted magic number 0x${magic}: ${ndims} dimensions, expected ${expectedDims}`);
  }
  if (ndims === 0) throw new Error(`IDX file ${name}: corrupted magic number 0x${magic}: 0 dimensions`);
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < ndims; d++) {
    const dim = view.getUint32(4 + 4 * d, false); // IDX is big-endian
    dims.push(dim);
    size *= dim;
  }
  return { dims, headerLength, fileLength: headerLength + size };
}

/**
 * Parses an IDX file of unsigned bytes, checking magic number, dtype, number of dimensions and length.
 * `name` names the file in errors. The returned data is a view into `bytes`.
 *
 * @param bytes - an uncompressed IDX file's bytes.
 * @param name - the file name, used in errors.
 * @param expectedDims - the rank the file must have (checked when given).
 *
 * @example
 * ```ts
 * import { parseIdx } from '@prune/mnist-pairs';
 *
 * declare const bytes: Uint8Array; // an uncompressed IDX file
 * const { dims, data } = parseIdx(bytes, 't10k-labels-idx1-ubyte', 1);
 * ```
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims?: number): IdxArray {
  if (isGzip(bytes)) {
    throw new Error(`IDX file ${name}: is gzip-compressed; decompress it before parsing`);
  }
  if (bytes.length < 4) {
    throw new Error(`IDX file ${name}: truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  }
  const header = readIdxHeader(bytes, name, expectedDims);
  if (!header) {
    const needed = 4 + 4 * (bytes[3] as number);
    throw new Error(`IDX file ${name}: truncated: ${bytes.length} bytes, the header of ${bytes[3]} dimensions needs ${needed}`);
  }
  const { dims, headerLength, fileLength: expectedLength } = header;
  if (bytes.length < expectedLength) {
    throw new Error(
      `IDX file ${name}: truncated: ${bytes.length} bytes, dimensions [${dims.join(', ')}] need ${expectedLength}`,
    );
  }
  if (bytes.length > expectedLength) {
    throw new Error(
      `IDX file ${name}: corrupted: ${bytes.length} bytes, dimensions [${dims.join(', ')}] need exactly ${expectedLength} ` +
        `(${bytes.length - expectedLength} trailing bytes)`,
    );
  }
  return { dims, data: bytes.subarray(headerLength, expectedLength) };
}

/**
 * Parses an IDX file of 28×28 images; returns the raw pixel bytes (a view) and the image count.
 *
 * @param bytes - an uncompressed IDX image file's bytes.
 * @param name - the file name, used in errors.
 *
 * @example
 * ```ts
 * import { parseIdxImages } from '@prune/mnist-pairs';
 *
 * declare const bytes: Uint8Array; // t10k-images-idx3-ubyte
 * const { pixels, count } = parseIdxImages(bytes, 't10k-images-idx3-ubyte'); // count 10000
 * ```
 */
export function parseIdxImages(
  bytes: Uint8Array,
  name: string,
): {
  /** Raw pixel bytes 0 … 255, row-major [count, 28, 28]; a view into `bytes`. */
  pixels: Uint8Array;
  /** Number of images. */
  count: number;
} {
  const { dims, data } = parseIdx(bytes, name, 3);
  const [count, rows, cols] = dims as [number, number, number];
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new Error(`IDX file ${name}: wrong image size ${rows}×${cols}, expected ${IMAGE_SIZE}×${IMAGE_SIZE}`);
  }
  return { pixels: data, count };
}

/**
 * Parses an IDX file of digit labels, checking every label is in 0 … 9; returns a view.
 *
 * @param bytes - an uncompressed IDX label file's bytes.
 * @param name - the file name, used in errors.
 *
 * @example
 * ```ts
 * import { parseIdxLabels } from '@prune/mnist-pairs';
 *
 * declare const bytes: Uint8Array; // t10k-labels-idx1-ubyte
 * const labels = parseIdxLabels(bytes, 't10k-labels-idx1-ubyte'); // 0 … 9, one per image
 * ```
 */
export function parseIdxLabels(bytes: Uint8Array, name: string): Uint8Array {
  const { data } = parseIdx(bytes, name, 1);
  for (let i = 0; i < data.length; i++) {
    if (data[i]! >= NUM_CLASSES) {
      throw new Error(`IDX file ${name}: corrupted: label ${data[i]} at index ${i} is not a digit 0 … 9`);
    }
  }
  return data;
}
