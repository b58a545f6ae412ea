// Prune your own model, end to end: load a classifier saved as model.json, measure it,
// prune the whole model in two steps with fine-tuning in between, save it to files.
//   node pruneYourOwnModel.js [model.json] [output folder]
// #region setup
import { selectBackend } from '@prune/backend';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { categoricalAccuracy, countMacs, planPruning, pruneModel } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import { subsetSplit, type MnistSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';

// wasm, completed for training: stock wasm lacks Conv2DBackpropFilter,
// which fine-tuning a CNN needs.
const { reason } = await selectBackend('wasm', { threads: 1 });
console.log(`backend: ${reason}`);
// #endregion setup

const [modelJson = 'my-model/model.json', outDir = 'pruned'] = process.argv.slice(2);

// #region load
const model = await loadLayersModel(fileSystem(modelJson));
model.summary();
// #endregion load

// #region data
// Your data goes here: inputs shaped as the model's input, labels as class
// indices. This example uses MNIST digits.
const mnist = await loadMnist();
const asData = (split: MnistSplit) => ({
  inputs: tf.tensor4d(split.images, [split.count, 28, 28, 1]),
  labels: split.labels,
});
const calibration = asData(subsetSplit(mnist.train, 0.02, 1)); // 1200 to rank on
const train = asData(subsetSplit(mnist.train, 0.1, 2)); // 6000 to fine-tune on
const test = asData(subsetSplit(mnist.test, 0.2, 3)); // 2000 held out
const trainY = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);

function accuracy(m: LayersModel): number {
  const probs = m.predict(test.inputs) as tf.Tensor;
  const values = probs.dataSync() as Float32Array;
  probs.dispose();
  return categoricalAccuracy().compute(values, test.labels, 10);
}
// #endregion data

// #region plan
// A dry run: which half of every group's channels mean activation would remove.
const plan = await planPruning(model, {
  ratio: 0.5,
  criterion: 'mean-activation',
  data: calibration,
});
for (const g of plan.groups) {
  console.log(`${g.group}: ${g.channels} channels, ${g.pruned.length} to go`);
}
for (const r of plan.refused) console.log(`left alone: ${r.layer} (${r.reason})`);
// #endregion plan

// #region prune
const before = accuracy(model);
const result = await pruneModel(model, {
  ratio: 0.5,
  criterion: 'mean-activation',
  data: calibration,
  steps: 2, // half of the channels in two steps, re-ranked after each
  fineTune: async (pruned, { step }) => {
    pruned.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    await pruned.fit(train.inputs, trainY, { epochs: 1, batchSize: 64, verbose: 0 });
    console.log(`step ${step}: fine-tuned, accuracy ${accuracy(pruned).toFixed(4)}`);
  },
});
const after = accuracy(result.model);
const { params, macs } = result.report.totals;
console.log(`params ${params.before} → ${params.after}`);
console.log(`MACs ${macs.before} → ${macs.after}`);
console.log(`test accuracy ${before.toFixed(4)} → ${after.toFixed(4)}`);
// #endregion prune

// #region save
await result.model.save(fileSystem(outDir)); // model.json + weights.bin
// #endregion save

// What the tests compare with the reloaded model (in a fresh process, in a browser).
const first = result.model.predict(tf.slice(test.inputs, 0, 20)) as tf.Tensor;
console.log(
  JSON.stringify({
    before,
    after,
    params,
    macs: { ...macs, counted: countMacs(result.model).macs },
    probabilities: Array.from(first.dataSync()),
  }),
);
