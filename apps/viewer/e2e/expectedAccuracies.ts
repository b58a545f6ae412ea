/**
 * The oracle of the browser tests: test pair accuracy of given channel masks, computed in Node by @prune/core's
 * applyChannelMask (a copy of the model with every weight entry that surgery would remove zeroed: the channels'
 * filters and biases and the dense1 rows they feed, so it equals the pruned model) and @prune/siamese's
 * evaluateSiamese over the whole model, on the run's own test pairs, independently of the page's code.
 * Usage: tsx --conditions=@prune/source e2e/expectedAccuracies.ts <runDir> <masks.json> <out.json>
 * masks.json: { "name": [channels off] or "path/to/a/model.json" (a saved model, evaluated as it is), ... };
 * out.json: { "name": accuracy, ... }
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '@prune/backend';
import { applyChannelMask, maskChannels } from '@prune/core';
import { normalizePixels, type PairSet } from '@prune/mnist-pairs';
import { fileSystem } from '@prune/core/node';
import { evaluateSiamese, loadSiameseFrom } from '@prune/siamese';

const [runDir, masksFile, outFile] = process.argv.slice(2);
if (!runDir || !masksFile || !outFile) throw new Error('usage: expectedAccuracies.ts <runDir> <masks.json> <out.json>');
await selectBackend('wasm');
const index = JSON.parse(await readFile(join(runDir, 'viewer-data', 'index.json'), 'utf8')) as {
  layer: string;
  channels: number;
  model: string;
  images: { file: string; shape: number[] };
  pairs: { file: string; shape: [2, number] };
  labels: { file: string };
};
const data = async (file: string): Promise<Buffer> => readFile(join(runDir, 'viewer-data', file));
const pixels = new Uint8Array(await data(index.images.file));
const pairBytes = await data(index.pairs.file);
const pairIndices = new Int32Array(pairBytes.buffer, pairBytes.byteOffset, pairBytes.byteLength / 4);
const count = index.pairs.shape[1];
const [images] = index.images.shape as [number];
const pairs: PairSet = {
  split: { images: normalizePixels(pixels), labels: new Uint8Array(images), count: images },
  left: pairIndices.slice(0, count),
  right: pairIndices.slice(count),
  labels: new Uint8Array(await data(index.labels.file)),
  count,
};
const model = await loadSiameseFrom(fileSystem(join(runDir, index.model)));
const masks = JSON.parse(await readFile(masksFile, 'utf8')) as Record<string, number[] | string>;
const out: Record<string, number> = {};
for (const [name, off] of Object.entries(masks)) {
  if (typeof off === 'string') {
    const saved = await loadSiameseFrom(fileSystem(off));
    out[name] = (await evaluateSiamese(saved, pairs)).accuracy;
    saved.dispose();
    continue;
  }
  const masked = await applyChannelMask(model, maskChannels(index.layer, index.channels, off));
  out[name] = (await evaluateSiamese(masked, pairs)).accuracy;
  masked.dispose();
}
await writeFile(outFile, JSON.stringify(out, null, 2));
console.log(`expected accuracies for ${Object.keys(out).length} masks written to ${outFile}`);
