import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { imageInput, type ImageInputOptions } from '@prune/core';
import { decodeImage } from './decodeImage';
import type { Examples } from './examples';

const IMAGE = new Set(['.jpg', '.jpeg', '.png']);

/**
 * The classes of an image folder: its subfolders in name order (as Keras' `image_dataset_from_directory`), or, when
 * every name is a whole number, that number as the class index.
 */
function classIndex(names: string[]): Map<string, number> {
  const sorted = [...names].sort();
  const numeric = sorted.every((n) => /^\d+$/.test(n));
  return new Map(sorted.map((n, i) => [n, numeric ? Number(n) : i]));
}

/**
 * Reads `dir/<class>/<image>.{jpg,jpeg,png}` as labelled examples, each resized and normalised by `imageInput`.
 * Takes at most `limit` images, spread over the classes in turn so a small limit still covers every class.
 */
export async function readImageFolder(dir: string, options: ImageInputOptions & { limit?: number; onImage?: (done: number, total: number) => void }): Promise<Examples> {
  const entries = await readdir(dir, { withFileTypes: true });
  const classes = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  if (classes.length === 0) throw new Error(`${dir}: an image folder holds one subfolder per class (e.g. ${dir}/cat/1.jpg, ${dir}/dog/2.png); it has none`);
  const index = classIndex(classes);
  const lists = await Promise.all(
    [...index.keys()].map(async (name) => (await readdir(join(dir, name))).filter((f) => IMAGE.has(extname(f).toLowerCase())).sort().map((f) => ({ file: join(dir, name, f), label: index.get(name)! }))),
  );
  const empty = [...index.keys()].filter((_, i) => lists[i]!.length === 0);
  if (empty.length === classes.length) throw new Error(`${dir}: no .jpg, .jpeg or .png images in its class subfolders`);
  // Round-robin over classes, so that --limit keeps every class.
  const order: { file: string; label: number }[] = [];
  for (let i = 0; order.length < lists.reduce((n, l) => n + l.length, 0); i++) for (const l of lists) if (i < l.length) order.push(l[i]!);
  const chosen = order.slice(0, options.limit ?? order.length);
  const size = options.height * options.width * options.channels;
  const values = new Float32Array(chosen.length * size);
  const labels = new Float32Array(chosen.length);
  for (const [i, { file, label }] of chosen.entries()) {
    values.set(imageInput(await decodeImage(file), options), i * size);
    labels[i] = label;
    options.onImage?.(i + 1, chosen.length);
  }
  const names = [...index.entries()].sort((a, b) => a[1] - b[1]).map(([n]) => n);
  return { values, shape: [options.height, options.width, options.channels], count: chosen.length, labels, classes: names, source: dir };
}
