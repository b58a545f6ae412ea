// Benchmark of the K sweep on the lab's setup: the Siamese model, 2000 test pairs, conv2 (32 channels), K = 1 … 31.
// Prints the fast sweep against the naive sweep (copy, zero, evaluate per K) and against one plain evaluation pass.
import { loadavg } from 'node:os';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { makePairs, pairImages, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel } from '@prune/siamese';
import { createMaskEvaluator, meanActivationImportance, naiveSweep, rankChannels, scoreChannels, sweepChannels } from '../src/index';

const BATCH = 500;

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('bench: the wasm backend did not initialise');
  await tf.ready();
  const mnist = await loadMnist();
  const test = subsetSplit(mnist.test, 0.1, 42);
  const pairs = makePairs(test, 2000, 42);
  const images = pairImages(pairs);
  const left = tf.tensor4d(images.left, [pairs.count, 28, 28, 1]);
  const right = tf.tensor4d(images.right, [pairs.count, 28, 28, 1]);
  const data = { inputs: [left, right], labels: pairs.labels };
  const model = createSiameseModel({ seed: 42 }); // untrained: timings do not depend on the weights

  const evaluate = (): void => {
    const p = model.predict([left, right], { batchSize: BATCH }) as tf.Tensor;
    p.dataSync();
    p.dispose();
  };
  evaluate(); // warm-up
  const evalTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    evaluate();
    evalTimes.push(seconds(t));
  }
  const evalPass = median(evalTimes);

  const scores = await scoreChannels(meanActivationImportance(), { model, layer: 'conv2', data, batchSize: BATCH });
  const order = rankChannels(scores);

  await sweepChannels(model, 'conv2', order, data, { batchSize: BATCH }); // warm-up
  const fastTimes: number[] = [];
  let fast = await sweepChannels(model, 'conv2', order, data, { batchSize: BATCH });
  fastTimes.push(fast.seconds);
  for (let i = 0; i < 2; i++) {
    fast = await sweepChannels(model, 'conv2', order, data, { batchSize: BATCH });
    fastTimes.push(fast.seconds);
  }
  const fastSweep = median(fastTimes);

  const naive = await naiveSweep(model, 'conv2', order, data, { batchSize: BATCH });
  const same = fast.points.every((p, i) => p.metric === naive.points[i]!.metric);

  console.log(`backend ${tf.getBackend()}, ${pairs.count} test pairs, layer ${fast.layer} (${fast.channels} channels), K = 1 … ${fast.channels - 1}`);
  console.log(`fast sweep path: ${fast.path} (${fast.note})`);
  console.log(`one evaluation pass      ${(evalPass * 1000).toFixed(0).padStart(7)} ms  (median of 3)`);
  console.log(`fast sweep (K = 1 … 31)  ${(fastSweep * 1000).toFixed(0).padStart(7)} ms  (median of 3)`);
  console.log(`naive sweep (K = 1 … 31) ${(naive.seconds * 1000).toFixed(0).padStart(7)} ms  (once)`);
  console.log(`naive / fast             ${(naive.seconds / fastSweep).toFixed(1).padStart(7)} x   (target >= 20)`);
  console.log(`fast / one pass          ${(fastSweep / evalPass).toFixed(2).padStart(7)} x   (target <= 2)`);
  console.log(`same accuracy at every K as the naive sweep: ${same ? 'yes' : 'NO'}`);

  // The what-if evaluator: set-up once, then one channel switched off or on per change, as a person does in the viewer.
  let t = performance.now();
  const evaluator = await createMaskEvaluator(model, 'conv2', data, { batchSize: BATCH });
  const setup = seconds(t);
  const off: number[] = [];
  const changeTimes: number[] = [];
  for (const c of [...order.slice(0, 16), ...order.slice(0, 16)]) {
    const i = off.indexOf(c);
    if (i >= 0) off.splice(i, 1);
    else off.push(c);
    t = performance.now();
    evaluator.evaluate(off);
    changeTimes.push(seconds(t));
  }
  t = performance.now();
  evaluator.evaluate(order.slice(0, 24));
  const jump = seconds(t);
  evaluator.dispose();
  console.log(`mask evaluator set-up     ${(setup * 1000).toFixed(0).padStart(7)} ms`);
  console.log(`one channel switched      ${(median(changeTimes) * 1000).toFixed(1).padStart(7)} ms  (median of ${changeTimes.length})`);
  console.log(`24 channels at once       ${(jump * 1000).toFixed(1).padStart(7)} ms`);
  // Timings share the machine: the load says how much of a core the run had.
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  model.dispose();
  tf.dispose([left, right]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
