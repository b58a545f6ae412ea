// Run with tsx --conditions=@prune/source: makes the models and images the page tests drop, and the oracle values
// computed here in Node with @prune/core on the same files (images decoded with pngjs, lossless like the browser).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { ZOO } from '@prune/test-zoo';
import { channelGroups, countParams, evaluateModel, imageInput, modelArtifacts, planPruning, precomputedImportance, pruneModel, pruneToTarget, sensitivityAnalysis } from '@prune/core';
import { fileSystem } from '@prune/core/node';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: makeFixtures.ts <dir>');
await tf.setBackend('wasm');
const entry = ZOO.mobilenetV2;
const model = entry.build({ seed: 5 });
await model.save(fileSystem(join(dir, 'model')));

// Images: 12 of 32×32 (stripes and seeded noise). Each is filed under a class so that the untrained model is right
// on every other one (its own arg-max, or the next class), so accuracy starts at 0.5 and pruning can move it.
const size = 32;
const preprocess = { height: size, width: size, channels: 3 as const, scale: 1 / 255, mean: [0.5], std: [0.25] };
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pngs = Array.from({ length: 12 }, (_, n) => {
  const png = new pngjs.PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) png.data.set([((x + y * (n + 1)) % 8) * 30, (rand() * 255) | 0, (n * 20 + y * 4) % 256, 255], (y * size + x) * 4);
  return png;
});
const probe = tf.tensor4d(pngs.flatMap((p) => Array.from(imageInput({ data: p.data, width: size, height: size }, preprocess))), [12, size, size, 3]);
const argmax = Array.from((tf.tidy(() => tf.argMax(model.predict(probe) as tf.Tensor, -1)) as tf.Tensor).dataSync());
probe.dispose();
for (const [n, png] of pngs.entries()) {
  const label = n % 2 === 0 ? argmax[n]! : (argmax[n]! + 1) % 10;
  mkdirSync(join(dir, 'images', String(label)), { recursive: true });
  writeFileSync(join(dir, 'images', String(label), `${n}.png`), pngjs.PNG.sync.write(png));
}
// A graph model's model.json, and a model.json whose shard is not dropped.
mkdirSync(join(dir, 'graph'), { recursive: true });
writeFileSync(join(dir, 'graph', 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] }));

// The oracle: the same images through imageInput, the same prunes through @prune/core.
const classes = readdirSync(join(dir, 'images')).sort();
const files = classes.flatMap((name) => readdirSync(join(dir, 'images', name)).sort().map((f) => ({ file: join(dir, 'images', name, f), label: Number(name) })));
const values = files.flatMap(({ file }) => {
  const image = pngjs.PNG.sync.read(readFileSync(file));
  return Array.from(imageInput({ data: image.data, width: image.width, height: image.height }, preprocess));
});
const data = { inputs: tf.tensor4d(values, [files.length, size, size, 3]), labels: files.map((f) => f.label) };
const plan = await planPruning(model, { ratio: 0 });
const criterion = precomputedImportance(plan.criterion, new Map(plan.groups.map((g) => [g.group, g.scores])));
const uniform30 = await pruneModel(model, { ratio: 0.3, criterion });
const global50 = await pruneModel(model, { ratio: 0.5, strategy: 'global', criterion });
const before = countParams(model).total;
const target = await pruneToTarget(model, { target: { params: Math.floor(before * 0.5) }, criterion, precision: 1 / 128 });
const sensitivity = await sensitivityAnalysis(model, data);
const expected = {
  classes: classes.length,
  groups: channelGroups(model).groups.length,
  refused: channelGroups(model).refused.length,
  params: before,
  accuracy: evaluateModel(model, data),
  uniform30: { params: uniform30.report.totals.params.after, macs: uniform30.report.totals.macs.after, accuracy: evaluateModel(uniform30.model, data) },
  global50: { params: global50.report.totals.params.after, macs: global50.report.totals.macs.after },
  params50: { params: target.achieved, ratio: target.ratio },
  sensitivity: Object.fromEntries(sensitivity.groups.map((g) => [g.group, g.points.map((p) => p.metric)])),
};
// Other architectures of the zoo, without data: groups, and params and MACs at 30% uniform.
const others: Record<string, { groups: number; params: number; macs: number }> = {};
for (const name of ['resnet', 'densenet', 'xception', 'seBlock'] as const) {
  const other = ZOO[name].build({ seed: 2 });
  await fileSystem(join(dir, name)).save!(await modelArtifacts(other));
  const pruned = await pruneModel(other, { ratio: 0.3 });
  others[name] = { groups: channelGroups(other).groups.length, params: pruned.report.totals.params.after, macs: pruned.report.totals.macs.after };
}
writeFileSync(join(dir, 'expected.json'), JSON.stringify({ ...expected, others }, null, 2));
