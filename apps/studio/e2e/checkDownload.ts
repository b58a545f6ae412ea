// Run with tsx --conditions=@prune/source: loads a downloaded model folder as any tfjs user would and prints what it holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { countParams } from '@prune/core';
import { fileSystem } from '@prune/core/node';

const [dir] = process.argv.slice(2);
await tf.setBackend('cpu');
const json = JSON.parse(readFileSync(join(dir!, 'model.json'), 'utf8')) as tf.io.ModelJSON;
const model = await loadLayersModel(fileSystem(dir!));
const dtypes = [...new Set(json.weightsManifest.flatMap((g) => g.weights.map((w) => w.quantization?.dtype ?? w.dtype)))];
console.log(JSON.stringify({ params: countParams(model).total, dtypes, paths: json.weightsManifest.flatMap((g) => g.paths) }));
