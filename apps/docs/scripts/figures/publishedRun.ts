// The published live report (docs/public/report/, written by scripts/publishRun.ts) as the concept pages' figures
// use it: its trained model and its test pairs, read from the run's own files, so a figure computed from it
// cannot drift from the report it sits beside.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fileSystem } from '@prune/core/node';
import { accuracyVsKSpec, parseResults, parseWithSchema, renderSvg, viewerDataIndexSchema, type Results, type ViewerDataIndex } from '@prune/report';
import { loadSiameseFrom } from '@prune/siamese';

export const reportDir = resolve(import.meta.dirname, '../../docs/public/report');
/** Where the figures go: served as /figures/<name>.svg. */
export const figuresDir = resolve(import.meta.dirname, '../../docs/public/figures');

/** The published run: results.json, the viewer-data index, the trained model and the test pairs as tensors. */
export interface PublishedRun {
  results: Results;
  index: ViewerDataIndex;
  model: LayersModel;
  /** The test pairs' two inputs [N, 28, 28, 1] (owned by the caller: dispose) and their 0/1 labels. */
  inputs: [tf.Tensor4D, tf.Tensor4D];
  labels: Uint8Array;
}

function bytesOf(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Loads the published run; run it after selecting a backend. */
export async function loadPublishedRun(dir = reportDir): Promise<PublishedRun> {
  const resultsFile = join(dir, 'results.json');
  const indexFile = join(dir, 'viewer-data/index.json');
  const results = parseResults(JSON.parse(readFileSync(resultsFile, 'utf8')), resultsFile);
  const index = parseWithSchema(viewerDataIndexSchema, JSON.parse(readFileSync(indexFile, 'utf8')), indexFile);
  const data = (name: string) => join(dir, 'viewer-data', name);
  const model = await loadSiameseFrom(fileSystem(join(dir, index.model, '..')));
  const { scale, mean, std } = index.images.normalise;
  const pixels = Float32Array.from(bytesOf(data(index.images.file)), (p) => (p / scale - mean) / std);
  const pairs = new Int32Array(bytesOf(data(index.pairs.file)).slice().buffer);
  const count = index.pairs.shape[1];
  const images = tf.tensor4d(pixels, index.images.shape);
  const inputs = tf.tidy(() => [0, 1].map((row) => tf.gather(images, pairs.subarray(row * count, (row + 1) * count))) as [tf.Tensor4D, tf.Tensor4D]);
  images.dispose();
  return { results, index, model, inputs, labels: bytesOf(data(index.labels.file)).slice() };
}

/** The report's chart look (fonts, grid, colours), taken from its own accuracy chart, so these figures match it. */
export function reportLook(results: Results): unknown {
  return accuracyVsKSpec(results).config;
}

/** Renders a Vega-Lite spec with the report's renderer (the one every run's figures use) to figures/<name>.svg. */
export async function writeFigure(name: string, spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  mkdirSync(figuresDir, { recursive: true });
  const file = join(figuresDir, `${name}.svg`);
  writeFileSync(file, await renderSvg(spec));
  return file;
}
