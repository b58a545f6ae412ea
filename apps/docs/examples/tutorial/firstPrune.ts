// Inference only: @prune/core, @prune/activations, tfjs-core, tfjs-layers and the wasm
// backend are all this needs (no training, so no @prune/backend).
//   node firstPrune.js [model.json] [output folder]
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { pruneModel } from '@prune/core';
import { fileSystem } from '@prune/core/node';

await tf.setBackend('wasm');
const [modelJson = 'my-model/model.json', outDir = 'pruned'] = process.argv.slice(2);

const model = await loadLayersModel(fileSystem(modelJson));
// 30% of every group's channels, ranked by their filters' L1 norm: no data needed.
const { model: pruned, report } = await pruneModel(model, { ratio: 0.3 });
console.log(report.totals.params); // { before: 9098, after: … }
await pruned.save(fileSystem(outDir)); // outDir/model.json + outDir/weights.bin
