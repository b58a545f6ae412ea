import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EvalData } from '@prune/core';
import type { Preprocess } from '../parseArgs';
import type { Examples } from './examples';
import { readImageFolder } from './readImageFolder';
import { readJsonData, readLabelList } from './readJsonData';
import { readNpy } from './readNpy';

/** Data ready for @prune/core: the inputs as one tensor (owned by the caller), labels, and what was read. */
export interface LoadedData extends EvalData {
  inputs: tf.Tensor;
  count: number;
  classes?: string[];
  source: string;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/** The model's one input shape without the batch axis; models with several inputs take no --data here. */
export function modelInputShape(model: LayersModel): (number | null)[] {
  if (model.inputs.length !== 1) {
    throw new Error(`model '${model.name}' has ${model.inputs.length} inputs (${model.inputs.map((i) => i.name).join(', ')}); --data and latency inputs support one-input models only`);
  }
  return model.inputs[0]!.shape.slice(1);
}

async function readLabels(file: string, count: number): Promise<Float32Array> {
  if (extname(file).toLowerCase() === '.npy') {
    const { values, shape } = await readNpy(file);
    if (shape.length !== 1 || shape[0] !== count) throw new Error(`${file}: labels must be a 1-D array of ${count} class indices (one per example), got shape (${shape.join(', ')})`);
    return readLabelList(Array.from(values), count, file);
  }
  const { readFile } = await import('node:fs/promises');
  return readLabelList(JSON.parse(await readFile(file, 'utf8')) as unknown, count, file);
}

async function readExamples(path: string, inputShape: (number | null)[], preprocess: Preprocess, limit: number | undefined, labels: string | undefined, onImage?: (done: number, total: number) => void): Promise<Examples> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`--data ${path}: no such file or folder`);
  }
  if (info.isDirectory()) {
    if (labels !== undefined) throw new Error(`--labels is for a .npy --data file; an image folder's labels are its subfolders`);
    const [h, w, c] = inputShape;
    if (inputShape.length !== 3 || (c !== 1 && c !== 3)) {
      throw new Error(`--data ${path} is an image folder, but the model's input has shape ${shapeText(inputShape)}, not [height, width, 1 or 3]; give a .npy or .json file of inputs instead`);
    }
    const [height, width] = preprocess.size ?? [h, w];
    if (height == null || width == null) throw new Error(`the model's input size is ${shapeText(inputShape)}: give --size HEIGHTxWIDTH to resize the images to`);
    if ((h != null && h !== height) || (w != null && w !== width)) {
      throw new Error(`--size ${height}x${width} does not fit the model's input ${shapeText(inputShape)}; leave --size out to use ${h}x${w}`);
    }
    return readImageFolder(path, { height, width, channels: c, scale: preprocess.scale, mean: preprocess.mean, std: preprocess.std, limit, onImage });
  }
  const ext = extname(path).toLowerCase();
  let examples: Examples;
  if (ext === '.json') {
    examples = await readJsonData(path);
    if (labels !== undefined) examples.labels = await readLabels(labels, examples.count);
  } else if (ext === '.npy') {
    const { values, shape } = await readNpy(path);
    const [count, ...example] = shape;
    if (count === undefined) throw new Error(`${path}: a 0-d array; inputs need a first axis of examples`);
    examples = { values, shape: example, count, source: path };
    if (labels !== undefined) examples.labels = await readLabels(labels, count);
  } else {
    throw new Error(`--data ${path}: give a folder of class subfolders of images, a .json file or a .npy file`);
  }
  if (limit !== undefined && limit < examples.count) {
    const size = examples.values.length / examples.count;
    examples = { ...examples, values: examples.values.slice(0, limit * size), count: limit, ...(examples.labels ? { labels: examples.labels.slice(0, limit) } : {}) };
  }
  return examples;
}

/** Checks that examples fit the model's input and labels its output, naming the file and the shapes. */
function checkFits(examples: Examples, inputShape: (number | null)[], outputUnits: number): void {
  const fits = examples.shape.length === inputShape.length && examples.shape.every((d, i) => inputShape[i] == null || inputShape[i] === d);
  if (!fits) {
    throw new Error(
      `${examples.source}: each example has shape ${shapeText(examples.shape)}, but the model's input takes ${shapeText(inputShape)}; ` +
        `reshape the data to (N, ${inputShape.map((d) => d ?? '?').join(', ')})`,
    );
  }
  if (examples.labels === undefined) return;
  const limit = outputUnits === 1 ? 2 : outputUnits;
  const bad = examples.labels.findIndex((l) => l >= limit);
  if (bad >= 0) {
    throw new Error(
      `${examples.source}: label ${examples.labels[bad]} (example ${bad}${examples.classes ? `, folder '${examples.classes[examples.labels[bad]!]}'` : ''}) ` +
        `is beyond the model's output of ${outputUnits} unit(s) (classes 0–${limit - 1})`,
    );
  }
}

/** Reads --data (and --labels) into tensors for the model, checked against its input shape and output size before any work. */
export async function loadData(
  model: LayersModel,
  config: { data: string; labels?: string; limit?: number; preprocess: Preprocess },
  onImage?: (done: number, total: number) => void,
): Promise<LoadedData> {
  const inputShape = modelInputShape(model);
  const examples = await readExamples(config.data, inputShape, config.preprocess, config.limit, config.labels, onImage);
  const outputUnits = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
  checkFits(examples, inputShape, outputUnits);
  return {
    inputs: tf.tensor(examples.values, [examples.count, ...examples.shape]),
    ...(examples.labels ? { labels: examples.labels } : {}),
    count: examples.count,
    ...(examples.classes ? { classes: examples.classes } : {}),
    source: examples.source,
  };
}
