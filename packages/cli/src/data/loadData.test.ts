import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import pngjs from 'pngjs';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadData } from './loadData';
import { readNpy } from './readNpy';

const fixtures = join(import.meta.dirname, '../test-utils');
const work = mkdtempSync(join(tmpdir(), 'prune-cli-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const preprocess = { scale: 1 / 255, mean: [0], std: [1] };

function modelFor(shape: number[], units: number): tfl.LayersModel {
  const m = tfl.sequential();
  if (shape.length > 1) m.add(tfl.layers.flatten({ inputShape: shape }));
  m.add(tfl.layers.dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax', ...(shape.length > 1 ? {} : { inputShape: shape }) }));
  return m;
}

/** A w×h PNG whose pixel (x, y) is (r, g, b) = (x·40, y·40, 200). */
function png(file: string, w: number, h: number): void {
  const image = new pngjs.PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) image.data.set([x * 40, y * 40, 200, 255], (y * w + x) * 4);
  writeFileSync(file, pngjs.PNG.sync.write(image));
}

describe('readNpy (files written by numpy.save)', () => {
  it('reads float32, float64, uint8 and int64 arrays with their shapes', async () => {
    const expected = Array.from({ length: 12 }, (_, i) => i / 4 - 1);
    for (const f of ['inputs_f4.npy', 'inputs_f8.npy']) {
      const { values, shape } = await readNpy(join(fixtures, f));
      expect(shape).toEqual([2, 3, 2]);
      expect(Array.from(values)).toEqual(expected);
    }
    expect(Array.from((await readNpy(join(fixtures, 'inputs_u1.npy'))).values)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await readNpy(join(fixtures, 'labels_i8.npy'))).toEqual({ values: Float32Array.from([1, 0]), shape: [2] });
  });

  it('names the file and the fix for Fortran order and for a file that is not .npy', async () => {
    await expect(readNpy(join(fixtures, 'fortran.npy'))).rejects.toThrow(/fortran.npy: the array is in Fortran order; save numpy.ascontiguousarray/);
    writeFileSync(join(work, 'bad.npy'), 'hello world');
    await expect(readNpy(join(work, 'bad.npy'))).rejects.toThrow(/bad.npy: not a .npy file/);
  });
});

describe('loadData', () => {
  it('a .npy of inputs with .npy labels, checked against the model input', async () => {
    const model = modelFor([3, 2], 2);
    const data = await loadData(model, { data: join(fixtures, 'inputs_f4.npy'), labels: join(fixtures, 'labels_i8.npy'), preprocess });
    expect(data.inputs.shape).toEqual([2, 3, 2]);
    expect(Array.from(data.labels as Float32Array)).toEqual([1, 0]);
    data.inputs.dispose();
    // Inputs of the wrong shape: the file, both shapes and the reshape to do.
    const other = modelFor([6, 1], 2);
    await expect(loadData(other, { data: join(fixtures, 'inputs_f4.npy'), preprocess })).rejects.toThrow(/inputs_f4.npy: each example has shape \[3, 2\], but the model's input takes \[6, 1\]; reshape the data to \(N, 6, 1\)/);
    // A label beyond the model's classes.
    const binary = modelFor([3, 2], 1);
    writeFileSync(join(work, 'labels.json'), '[2, 0]');
    await expect(loadData(binary, { data: join(fixtures, 'inputs_f4.npy'), labels: join(work, 'labels.json'), preprocess })).rejects.toThrow(/label 2 \(example 0\) is beyond the model's output of 1 unit\(s\) \(classes 0–1\)/);
  });

  it('a .json file of nested inputs and labels, and its errors', async () => {
    const model = modelFor([2], 3);
    writeFileSync(join(work, 'd.json'), JSON.stringify({ inputs: [[1, 2], [3, 4], [5, 6]], labels: [0, 2, 1] }));
    const data = await loadData(model, { data: join(work, 'd.json'), preprocess, limit: 2 });
    expect(Array.from(data.inputs.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(data.labels as Float32Array)).toEqual([0, 2]);
    data.inputs.dispose();
    writeFileSync(join(work, 'ragged.json'), JSON.stringify({ inputs: [[1, 2], [3]] }));
    await expect(loadData(model, { data: join(work, 'ragged.json'), preprocess })).rejects.toThrow(/inputs\[1\] should be an array of 2/);
    writeFileSync(join(work, 'badlabel.json'), JSON.stringify({ inputs: [[1, 2]], labels: [0.5] }));
    await expect(loadData(model, { data: join(work, 'badlabel.json'), preprocess })).rejects.toThrow(/labels\[0\] is 0.5; labels are class indices/);
    await expect(loadData(model, { data: join(work, 'missing.json'), preprocess })).rejects.toThrow(/--data .*missing.json: no such file or folder/);
  });

  it('an image folder: one class per subfolder, PNG and JPEG decoded, resized to the model input, normalised', async () => {
    const dir = join(work, 'images');
    for (const c of ['cat', 'dog']) mkdirSync(join(dir, c), { recursive: true });
    png(join(dir, 'cat', 'a.png'), 4, 4);
    png(join(dir, 'dog', 'b.png'), 2, 2);
    const gray = Buffer.alloc(4 * 4 * 4, 128);
    writeFileSync(join(dir, 'dog', 'c.jpg'), jpeg.encode({ data: gray, width: 4, height: 4 }, 100).data);
    writeFileSync(join(dir, 'dog', 'notes.txt'), 'ignored');
    const model = modelFor([4, 4, 3], 2);
    const tensors = tf.memory().numTensors;
    const data = await loadData(model, { data: dir, preprocess: { scale: 1, mean: [100], std: [2] } });
    expect(data.classes).toEqual(['cat', 'dog']);
    expect(data.count).toBe(3);
    // Round-robin over classes: cat/a, dog/b, dog/c.
    expect(Array.from(data.labels as Float32Array)).toEqual([0, 1, 1]);
    const x = data.inputs.arraySync() as number[][][][];
    // cat/a at its own size: (pixel − 100) / 2 exactly.
    expect(x[0]![1]![2]).toEqual([(2 * 40 - 100) / 2, (1 * 40 - 100) / 2, (200 - 100) / 2]);
    // dog/b, 2×2 up to 4×4 with half-pixel centres: the corner keeps the corner pixel, blue stays 200 everywhere.
    expect(x[1]![0]![0]).toEqual([-50, -50, 50]);
    expect(x[1]![3]![3]![2]).toBeCloseTo(50, 5);
    // The JPEG (quality 100) of flat gray 128 decodes to 128 ± 1.
    for (const v of x[2]!.flat(2)) expect(Math.abs(v - 14)).toBeLessThanOrEqual(0.5);
    data.inputs.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    // The model's size decides; a --size that contradicts it is an error.
    await expect(loadData(model, { data: dir, preprocess: { ...preprocess, size: [8, 8] } })).rejects.toThrow(/--size 8x8 does not fit the model's input \[4, 4, 3\]; leave --size out to use 4x4/);
    await expect(loadData(modelFor([16], 2), { data: dir, preprocess })).rejects.toThrow(/is an image folder, but the model's input has shape \[16\], not \[height, width, 1 or 3\]/);
  });
});
