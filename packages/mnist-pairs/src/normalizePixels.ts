import { MNIST_MEAN, MNIST_STD } from './constants';

let table: Float32Array | undefined;

/** The 256 possible normalised values, computed once (lazily) in float64 and rounded to float32. */
function normalisationTable(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - MNIST_MEAN) / MNIST_STD;
  }
  return table;
}

/**
 * Maps raw pixel bytes to (x/255 − 0.1307)/0.3081 as float32, in one pass into `out` (allocated if absent).
 *
 * @param pixels - raw pixel bytes 0 … 255.
 * @param out - where to write (default: a new array of the same length).
 * @returns (x/255 − 0.1307) / 0.3081 for each pixel.
 *
 * @example
 * ```ts
 * import { normalizePixels } from '@prune/mnist-pairs';
 *
 * console.log(normalizePixels(new Uint8Array([0, 255]))); // Float32Array [-0.4242, 2.8215]
 * ```
 */
export function normalizePixels(pixels: Uint8Array, out: Float32Array = new Float32Array(pixels.length)): Float32Array {
  if (out.length !== pixels.length) {
    throw new Error(`normalizePixels: output length ${out.length} differs from input length ${pixels.length}`);
  }
  const lut = normalisationTable();
  for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]!]!;
  return out;
}
