// The worker half of bench/dataParallel.ts: gradients of the summed loss over its share of each batch.
import '@tensorflow/tfjs-backend-cpu';
import { parentPort } from 'node:worker_threads';
import { reshape, sum, tensor, tensor1d, tensor4d, tidy, variableGrads, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import { createSiameseModel } from '@prune/siamese';

await selectBackend('wasm', { threads: 1 });
const model = createSiameseModel({ seed: 42 });
const variables = model.trainableWeights.map((w) => w.read() as Variable);

export interface Job {
  weights: Float32Array[];
  left: Float32Array;
  right: Float32Array;
  labels: Float32Array;
}

parentPort!.on('message', (job: Job) => {
  tidy(() => variables.forEach((v, i) => v.assign(tensor(job.weights[i]!, v.shape))));
  const size = job.labels.length;
  const l = tensor4d(job.left, [size, 28, 28, 1]), r = tensor4d(job.right, [size, 28, 28, 1]), y = tensor1d(job.labels);
  const { value, grads } = variableGrads(() => tidy(() => sum(metrics.binaryCrossentropy(reshape(y, [-1, 1]), model.apply([l, r], { training: true }) as Tensor)) as Scalar), variables);
  const out = variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
  const loss = value.dataSync()[0]!;
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  l.dispose(); r.dispose(); y.dispose();
  parentPort!.postMessage({ grads: out, loss }, out.map((g) => g.buffer as ArrayBuffer));
});
parentPort!.postMessage('ready');
