// Loads the pruned model in a fresh process, as an app would, and reports its accuracy
// on the tutorial's test images.
//   node reloadPruned.js [folder]
// #region reload
import { selectBackend } from '@prune/backend';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { categoricalAccuracy } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import { subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';

await selectBackend('wasm', { threads: 1 });
const pruned = await loadLayersModel(fileSystem(process.argv[2] ?? 'pruned'));
// #endregion reload

const split = subsetSplit((await loadMnist()).test, 0.2, 3); // the same 2000 images
const inputs = tf.tensor4d(split.images, [split.count, 28, 28, 1]);
const probs = (pruned.predict(inputs) as tf.Tensor).dataSync() as Float32Array;
const accuracy = categoricalAccuracy().compute(probs, split.labels, 10);
const first = pruned.predict(tf.slice(inputs, 0, 20)) as tf.Tensor;
console.log(JSON.stringify({ accuracy, probabilities: Array.from(first.dataSync()) }));
