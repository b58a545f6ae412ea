// How to use every core for the lab's training, chosen by measurement: the same epoch (batch 64, the lab's model
// and pairs) trained on this thread with one XNNPACK thread, on this thread with N (tfjs-backend-wasm's threaded
// SIMD build on worker_threads), and on N model replicas in worker threads (trainSiameseParallel, one thread
// each, what `pnpm experiment` does). Alternating rounds; medians; ratios against one thread in the same run.
// Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/trainingThreads.ts [--threads=N] [--batches=N] [--rounds=N]
import '@tensorflow/tfjs-backend-cpu';
import { loadavg } from 'node:os';
import { defaultThreadCount, selectBackend } from '@prune/backend';
import { makePairs, subsetSplit } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { createSiameseModel, trainSiamese } from '@prune/siamese';
import { trainSiameseParallel } from '@prune/siamese/node';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const THREADS = Number(args.get('threads') ?? (await defaultThreadCount()));
const BATCHES = Number(args.get('batches') ?? 60);
const ROUNDS = Number(args.get('rounds') ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

const pairs = makePairs(subsetSplit((await loadMnist()).train, 0.1, 42), 64 * BATCHES, 42);

/** Seconds per epoch (of the second: the first warms up kernels and starts the replicas' code). */
async function epochSeconds(how: 'one thread' | 'threaded build' | 'replicas'): Promise<number> {
  await selectBackend('wasm', { threads: how === 'threaded build' ? THREADS : 1 });
  const model = createSiameseModel({ seed: 42 });
  const options = { epochs: 2, batchSize: 64, seed: 1 };
  const history = how === 'replicas' ? await trainSiameseParallel(model, pairs, { ...options, threads: THREADS }) : await trainSiamese(model, pairs, options);
  model.dispose();
  return history.epochs[1]!.seconds;
}

const configurations = ['one thread', 'threaded build', 'replicas'] as const;
const seconds = new Map(configurations.map((c) => [c, [] as number[]]));
console.log(`${BATCHES} batches of 64 pairs per epoch, ${THREADS} threads; load average ${load()}`);
for (let round = 1; round <= ROUNDS; round++) {
  for (const c of configurations) seconds.get(c)!.push(await epochSeconds(c));
  console.log(`round ${round}: ${configurations.map((c) => `${c} ${seconds.get(c)!.at(-1)!.toFixed(2)} s`).join(', ')}; load ${load()}`);
}
const base = median(seconds.get('one thread')!);
const names = { 'one thread': 'this thread, 1 XNNPACK thread', 'threaded build': `this thread, ${THREADS} XNNPACK threads`, replicas: `${THREADS} replicas (trainSiameseParallel)` };
console.log('configuration                               median ms/batch   speed-up vs 1 thread');
for (const c of configurations) {
  const m = median(seconds.get(c)!);
  console.log(`${names[c].padEnd(44)}${((m * 1000) / BATCHES).toFixed(1).padStart(14)}${(base / m).toFixed(2).padStart(20)}×`);
}
