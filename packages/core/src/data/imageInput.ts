import * as tf from '@tensorflow/tfjs-core';

/** Decoded pixels: RGBA bytes, row-major (what a canvas's ImageData and the Node decoders give). */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** How an image becomes one model input: resized to height × width, 1 (luma) or 3 (RGB) channels, then (x · scale − mean) / std. */
export interface ImageInputOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  /** Multiplies the 0–255 pixel values first (default 1/255). */
  scale?: number;
  /** Subtracted after scaling: one value, or one per channel (default 0). */
  mean?: readonly number[];
  /** Divided by after the mean: one value, or one per channel (default 1). */
  std?: readonly number[];
}

function perChannel(values: readonly number[], channels: number, what: string): number[] {
  if (values.length === 1) return Array<number>(channels).fill(values[0]!);
  if (values.length !== channels) throw new Error(`imageInput: ${what} has ${values.length} values but the model's input has ${channels} channel(s); give one value or ${channels}`);
  return [...values];
}

/**
 * One model input from an image, the same in Node and in a browser: RGB (or its ITU-R 601 luma for one channel),
 * bilinear resize with half-pixel centres (as TensorFlow 2's `tf.image.resize`), then (x · scale − mean) / std per
 * channel. Returns height · width · channels floats, row-major (HWC).
 *
 * @param image - RGBA pixels (a canvas `ImageData`, or a decoded PNG).
 * @param options - `height`, `width`, `channels` (1 or 3), and `scale`, `mean`, `std`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { imageInput } from '@prune/core';
 *
 * declare const photo: ImageData; // e.g. from a canvas
 * const size = { height: 28, width: 28, channels: 1 } as const;
 * const x = imageInput(photo, { ...size, mean: [0.1307], std: [0.3081] });
 * const probs = model.predict(tf.tensor4d(x, [1, 28, 28, 1]));
 * ```
 */
export function imageInput(image: RgbaImage, options: ImageInputOptions): Float32Array {
  const { height, width, channels } = options;
  if (image.data.length !== image.width * image.height * 4) throw new Error(`imageInput: ${image.data.length} bytes is not RGBA for ${image.width}×${image.height}`);
  const mean = perChannel(options.mean ?? [0], channels, 'mean');
  const std = perChannel(options.std ?? [1], channels, 'std');
  const scale = options.scale ?? 1 / 255;
  // Typed arrays are read outside tidy: returning one from tidy makes tfjs walk every element.
  const out = tf.tidy(() => {
    const rgba = tf.tensor3d(Float32Array.from(image.data), [image.height, image.width, 4]);
    let x = tf.slice(rgba, [0, 0, 0], [-1, -1, 3]);
    if (channels === 1) x = tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), -1, true);
    const resized = image.height === height && image.width === width ? x : tf.image.resizeBilinear(x as tf.Tensor3D, [height, width], false, true);
    return tf.div(tf.sub(tf.mul(resized, scale), tf.tensor1d(mean)), tf.tensor1d(std));
  });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}
