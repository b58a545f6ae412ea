import { pad, slice, type Tensor4D } from '@tensorflow/tfjs-core';

/** Explicit NHWC padding for conv2d: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPad = [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * Crops the spatial axes of an NHWC tensor where an amount is negative, and returns the remaining
 * (non-negative) amounts as explicit padding, for a conv2d to pad without a copy.
 */
export function cropForPadding(
  x: Tensor4D, // [n, h, w, c]
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: Tensor4D; pad: ExplicitPad } {
  const [n, h, w, c] = x.shape;
  let out = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.min(h, Math.max(0, -top)), l = Math.min(w, Math.max(0, -left));
    // Crops may exceed the tensor: then nothing is left (an empty axis).
    out = slice(out, [0, t, l, 0], [n, Math.max(0, h - t - Math.max(0, -bottom)), Math.max(0, w - l - Math.max(0, -right)), c]);
  }
  return { x: out, pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]] };
}

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
  const cropped = cropForPadding(x, top, bottom, left, right);
  const [, [pt, pb], [pl, pr]] = cropped.pad;
  if (pt + pb + pl + pr === 0) return cropped.x;
  return pad(cropped.x, cropped.pad, value);
}
