import { pad, slice, type Tensor4D } from '@tensorflow/tfjs-core';

/**
 * Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor.
 * `value` fills the padding.
 */
export function padOrCrop(
  x: Tensor4D, // [n, h, w, c]
  top: number,
  bottom: number,
  left: number,
  right: number,
  value = 0,
): Tensor4D {
  const [n, h, w, c] = x.shape;
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(0, -top), l = Math.max(0, -left);
    const hh = h - t - Math.max(0, -bottom), ww = w - l - Math.max(0, -right);
    out = slice(out, [0, t, l, 0], [n, hh, ww, c]);
  }
  const pt = Math.max(0, top), pb = Math.max(0, bottom), pl = Math.max(0, left), pr = Math.max(0, right);
  if (pt + pb + pl + pr > 0) {
    out = pad(out, [[0, 0], [pt, pb], [pl, pr], [0, 0]], value);
  }
  return out;
}
