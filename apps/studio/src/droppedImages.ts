import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { imageInput, type EvalData, type RgbaImage } from '@prune/core';

/** Labelled images as the model's inputs. */
export interface DroppedImages extends EvalData {
  inputs: tf.Tensor;
  labels: Float32Array;
  classes: string[];
  count: number;
}

export interface Preprocess {
  scale: number;
  mean: number[];
  std: number[];
}

const IMAGE = /\.(jpe?g|png|webp|gif|bmp)$/i;

/** The class of a dropped image: its folder's name (webkitRelativePath `root/<class>/<file>`). */
function classOf(file: File): string | undefined {
  const parts = (file.webkitRelativePath || file.name).split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** Decodes with the browser's own decoder, at the image's own size. */
async function decode(file: File): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  return { data, width, height };
}

/**
 * Reads a dropped folder of class subfolders of images as inputs for the model: classes in name order (or by
 * number when every name is one, as the command does), each image resized and normalised by @prune/core's
 * `imageInput`, the same function the command uses.
 */
export async function readDroppedImages(files: readonly File[], model: LayersModel, preprocess: Preprocess, onImage?: (done: number, total: number) => void): Promise<DroppedImages> {
  const images = files.filter((f) => IMAGE.test(f.name) && classOf(f) !== undefined);
  if (images.length === 0) throw new Error('no images in the dropped folder: it should hold one subfolder of images per class');
  const shape = model.inputs[0]!.shape.slice(1);
  const [height, width, channels] = shape;
  if (model.inputs.length !== 1 || shape.length !== 3 || height == null || width == null || (channels !== 1 && channels !== 3)) {
    throw new Error(`the model's input [${shape.map((d) => d ?? '?').join(', ')}] is not an image of known size [height, width, 1 or 3]`);
  }
  const names = [...new Set(images.map((f) => classOf(f)!))].sort();
  const numeric = names.every((n) => /^\d+$/.test(n));
  const index = new Map(names.map((n, i) => [n, numeric ? Number(n) : i]));
  const units = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
  const most = Math.max(...index.values());
  if (most >= Math.max(units, 2)) throw new Error(`the images have ${names.length} classes (${names.join(', ')}) but the model's output has ${units} unit(s)`);
  const size = height * width * channels;
  const values = new Float32Array(images.length * size);
  const labels = new Float32Array(images.length);
  const sorted = [...images].sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name));
  for (const [i, file] of sorted.entries()) {
    values.set(imageInput(await decode(file), { height, width, channels, ...preprocess }), i * size);
    labels[i] = index.get(classOf(file)!)!;
    onImage?.(i + 1, sorted.length);
  }
  return { inputs: tf.tensor4d(values, [images.length, height, width, channels]), labels, classes: names, count: images.length };
}
