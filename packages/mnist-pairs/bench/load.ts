// Times loading MNIST (read + parse + normalise all 70k images) and building the lab's pairs.
// Prints figures from one run; run with `pnpm bench` in this package.
import '@tensorflow/tfjs-backend-cpu';
import { setBackend } from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makePairs, MNIST_FILE_KEYS, MNIST_FILE_NAMES, mnistFromIdx, pairBatches, subsetSplit } from '../src/index';
import { loadMnist } from '../src/node/index';
import { embeddedMnistDir } from '../src/node/embeddedMnistDir';

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

// The batches only create and dispose tensors; the cpu backend is enough (a benchmark picks it, as an app would).
await setBackend('cpu');

const runs = 3;
const loads: number[] = [];
for (let i = 0; i < runs; i++) loads.push((await timeAsync(() => loadMnist()))[1]);

// Split the load into file reading and parse + normalise.
const dir = embeddedMnistDir();
const [bytes, readMs] = await timeAsync(async () => {
  const all = await Promise.all(MNIST_FILE_KEYS.map((k) => readFile(join(dir, MNIST_FILE_NAMES[k]))));
  return Object.fromEntries(MNIST_FILE_KEYS.map((k, i) => [k, new Uint8Array(all[i]!)]));
});
const [mnist, parseMs] = time(() => mnistFromIdx({ files: bytes as Parameters<typeof mnistFromIdx>[0]['files'] }));
const images = mnist.train.count + mnist.test.count;

const [[train, test], subsetMs] = time(() => [subsetSplit(mnist.train, 0.1, 0), subsetSplit(mnist.test, 0.1, 1)] as const);
const [[trainPairs, testPairs], pairsMs] = time(() => [makePairs(train, 10000, 0), makePairs(test, 2000, 1)] as const);
const [, batchMs] = time(() => {
  let n = 0;
  for (const b of pairBatches(trainPairs, { batchSize: 64, shuffle: true, seed: 0 })) {
    n += b.size;
    b.left.dispose();
    b.right.dispose();
    b.labels.dispose();
  }
  return n;
});

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const sorted = [...loads].sort((a, b) => a - b);
console.log(`@prune/mnist-pairs benchmark (node ${process.version}, one run)`);
console.log(`loadMnist() all ${images} images, ${runs} runs: median ${fmt(sorted[1]!)} (min ${fmt(sorted[0]!)}, max ${fmt(sorted[2]!)})`);
console.log(`  read 4 files:          ${fmt(readMs)}`);
console.log(`  parse + normalise:     ${fmt(parseMs)}  (${((images * 784) / parseMs / 1e3).toFixed(0)} Mpixel/s)`);
console.log(`subsetSplit 10% + 10%:   ${fmt(subsetMs)}  (${train.count} + ${test.count} images)`);
console.log(`makePairs 10000 + 2000:  ${fmt(pairsMs)}  (${trainPairs.count} + ${testPairs.count} pairs)`);
console.log(`pairBatches over 10000 train pairs, batch 64, shuffled (tensors created + disposed): ${fmt(batchMs)}`);
