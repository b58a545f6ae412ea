/**
 * The taps of a convolution that reach each output index along one axis (a row or a column), for the assembled
 * one-channel kernels: per index a count, then one (source, filter) pair of byte offsets per tap, so `1 + 2·taps`
 * int32s per index. `sourceOf(o, t)` is the source index tap t reads for output index o; a tap whose source is not
 * an integer in [0, sourceSize) reads nothing (padding, or between strides) and is left out.
 */
export function tapTable(
  outSize: number,
  taps: number,
  sourceSize: number,
  sourceStep: number,
  filterStep: number,
  sourceOf: (o: number, t: number) => number,
): Int32Array {
  const table = new Int32Array(outSize * (1 + 2 * taps));
  for (let o = 0; o < outSize; o++) {
    const at = o * (1 + 2 * taps);
    let count = 0;
    for (let t = 0; t < taps; t++) {
      const d = sourceOf(o, t);
      if (!Number.isInteger(d) || d < 0 || d >= sourceSize) continue;
      table[at + 1 + 2 * count] = d * sourceStep;
      table[at + 2 + 2 * count] = t * filterStep;
      count++;
    }
    table[at] = count;
  }
  return table;
}
