// Training throughput of the lab's Siamese model on each backend, in one run, and where the time of a
// wasm training step goes. Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/training.ts
// Options: --steps=N timed steps on the fast backends (default 16) after --warmup=N untimed ones (default 100),
// --cpu-steps=N on stock cpu (default 1).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  getKernel,
  getKernelsForBackend,
  mean,
  memory,
  registerKernel,
  reshape,
  setBackend,
  tensor1d,
  tensor4d,
  tidy,
  train,
  unregisterKernel,
  type KernelConfig,
  type Optimizer,
  type Scalar,
  type Tensor,
  type Tensor1D,
  type Tensor4D,
  type Variable,
} from '@tensorflow/tfjs-core';
import { metrics, type LayersModel } from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels, restoreStockWasmKernels, selectBackend } from '@prune/backend';
import { makePairs, pairImages, subsetSplit, type PairSet } from '@prune/mnist-pairs';
import { loadMnist } from '@prune/mnist-pairs/node';
import { applySiamese, createSiameseModel, labAdam } from '@prune/siamese';

const BATCH = 64;
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const STEPS = Number(args.get('steps') ?? 16);
/**
 * Untimed steps before the timed ones on the fast backends, for the steady state of an epoch: V8 tiers the JS and the
 * wasm up over the first ~100 steps, on background threads that process CPU time counts (measured: 72, 55 and 50 CPU
 * ms a step over steps 0–24, 25–49 and 100–124, against 60, 49 and 48 ms of wall time).
 */
const WARMUP = Number(args.get('warmup') ?? 100);
const CPU_STEPS = Number(args.get('cpu-steps') ?? 1); // stock cpu takes about a minute per batch

/** The lab's Adam (trainSiamese's default), and tfjs's own with the same numbers for comparison. */
const fusedAdam = (): Optimizer => labAdam(1e-3);
const tfjsAdam = (): Optimizer => train.adam(1e-3, 0.9, 0.999, 1e-8);

/**
 * CPU time of this process in ms. The machines these run on are shared: wall time swings with other
 * processes' load, the CPU time of single-threaded wasm and JS work much less. Both are printed.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

interface Timing {
  cpu: number;
  wall: number;
}

function timed(f: () => void): Timing {
  const c0 = cpuMs(), w0 = performance.now();
  f();
  return { cpu: cpuMs() - c0, wall: performance.now() - w0 };
}

interface Batch {
  left: Float32Array;
  right: Float32Array;
  labels: Float32Array;
}

function batchesOf(pairs: PairSet, count: number): Batch[] {
  return Array.from({ length: count }, (_, i) => {
    const start = i * BATCH;
    const { left, right } = pairImages(pairs, start, start + BATCH);
    return { left, right, labels: Float32Array.from(pairs.labels.subarray(start, start + BATCH)) };
  });
}

/** The first `size` pairs of a batch: a cheap warm-up for the slow cpu backend. */
function head(b: Batch, size: number): Batch {
  return { left: b.left.subarray(0, size * 784), right: b.right.subarray(0, size * 784), labels: b.labels.subarray(0, size) };
}

function withTensors(b: Batch, f: (t: { left: Tensor4D; right: Tensor4D; labels: Tensor1D }) => void): Timing {
  const size = b.labels.length;
  const t = { left: tensor4d(b.left, [size, 28, 28, 1]), right: tensor4d(b.right, [size, 28, 28, 1]), labels: tensor1d(b.labels) };
  try {
    return timed(() => f(t));
  } finally {
    t.left.dispose();
    t.right.dispose();
    t.labels.dispose();
  }
}

/** One Adam step on BCE, as trainSiamese does (no gradient for the images); the loss is read with dataSync outside any tidy. */
function step(model: LayersModel, optimizer: Optimizer, variables: Variable[], b: Batch): Timing {
  return withTensors(b, (t) => {
    const cost = optimizer.minimize(
      () => {
        const p = applySiamese(model, [t.left, t.right], { training: true, inputGradients: false }) as Tensor; // [B, 1]
        return mean(metrics.binaryCrossentropy(reshape(t.labels, [-1, 1]), p)) as Scalar;
      },
      true,
      variables,
    );
    cost!.dataSync();
    cost!.dispose();
  });
}

/** One inference forward pass of the same batch. */
function forward(model: LayersModel, b: Batch): Timing {
  return withTensors(b, (t) => {
    const p = tidy(() => applySiamese(model, [t.left, t.right]) as Tensor); // [B, 1]
    p.dataSync();
    p.dispose();
  });
}

interface Run {
  name: string;
  steps: Timing[];
  forwards: Timing[];
  error?: string;
}

async function measure(name: string, backend: string, batches: Batch[], steps: number, warmup = 1): Promise<Run> {
  return (await measureAlternating([[name, fusedAdam]], backend, batches, steps, warmup))[0]!;
}

/**
 * Trains one model per optimiser, alternating their steps, so that a slower phase of a shared machine weighs on
 * every optimiser alike (one after the other, the first measured differed by more than the optimisers did).
 */
async function measureAlternating(variants: [string, () => Optimizer][], backend: string, batches: Batch[], steps: number, warmup = 1): Promise<Run[]> {
  if (!(await setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const before = memory().numTensors;
  const setups = variants.map(([name, makeOptimizer]) => {
    const model = createSiameseModel({ seed: 42 });
    const run: Run = { name, steps: [], forwards: [] };
    return { model, optimizer: makeOptimizer(), variables: model.trainableWeights.map((w) => w.read() as Variable), run };
  });
  try {
    // Warm-up: kernel setup and first allocations, `warmup` times (a few pairs on cpu, where a batch takes a minute).
    const warm = backend === 'cpu' ? head(batches[0]!, 4) : batches[0]!;
    for (let i = 0; i < warmup; i++) {
      for (const { model, optimizer, variables } of setups) {
        step(model, optimizer, variables, warm);
        forward(model, warm);
      }
    }
    for (let i = 1; i <= steps; i++) {
      for (const { model, optimizer, variables, run } of setups) {
        run.steps.push(step(model, optimizer, variables, batches[i % batches.length]!));
        run.forwards.push(forward(model, batches[i % batches.length]!));
      }
    }
  } catch (error) {
    for (const { run } of setups) run.error = (error as Error).message.split('\n')[0];
  } finally {
    for (const { model, optimizer } of setups) {
      optimizer.dispose();
      model.dispose();
    }
  }
  const leaked = memory().numTensors - before;
  if (leaked > 0 && setups[0]!.run.error === undefined) console.warn(`  ${variants.map(([n]) => n).join(', ')}: ${leaked} tensors left after the run`);
  return setups.map((s) => s.run);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, d = 1) => x.toFixed(d);

/** CPU ms per top-level wasm kernel over `steps` training steps (kernels a kernel calls count in their caller). */
function kernelShares(model: LayersModel, optimizer: Optimizer, variables: Variable[], batches: Batch[], steps: number) {
  const totals = new Map<string, { ms: number; calls: number }>();
  let depth = 0;
  const originals = getKernelsForBackend('wasm');
  for (const config of originals) {
    const wrapped: KernelConfig = {
      ...config,
      kernelFunc: (a) => {
        if (depth > 0) return config.kernelFunc(a);
        depth++;
        const t0 = cpuMs();
        try {
          return config.kernelFunc(a);
        } finally {
          const e = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
          e.ms += cpuMs() - t0;
          e.calls++;
          totals.set(config.kernelName, e);
          depth--;
        }
      },
    };
    unregisterKernel(config.kernelName, 'wasm');
    registerKernel(wrapped);
  }
  let stepTotal = 0;
  try {
    for (let i = 0; i < steps; i++) stepTotal += step(model, optimizer, variables, batches[i % batches.length]!).cpu;
  } finally {
    for (const config of originals) {
      unregisterKernel(config.kernelName, 'wasm');
      registerKernel(config);
    }
  }
  return { totals, stepTotal };
}

async function main(): Promise<void> {
  console.log(`Training the lab's Siamese model: batch of ${BATCH} pairs (2 × ${BATCH} images through the shared encoder), Adam, BCE`);
  const mnist = await loadMnist();
  const pairs = makePairs(subsetSplit(mnist.train, 0.1, 42), 2000, 42);
  const batches = batchesOf(pairs, Math.max(STEPS, CPU_STEPS) + 1);

  // The completed wasm backend is measured first, before stock cpu's minute of JS allocation can leave work for V8's
  // background threads in its steps: process CPU time counts those threads too (measured after it, a step read
  // 58–63 CPU ms against 50–54 ms of wall time).
  registerWasmTrainingKernels();
  const completed = await measureAlternating([['wasm (completed)', fusedAdam], ['wasm (completed), train.adam', tfjsAdam]], 'wasm', batches, STEPS, WARMUP);
  const runs: Run[] = [];
  runs.push(await measure('cpu (stock)', 'cpu', batches, CPU_STEPS));
  restoreStockWasmKernels();
  runs.push(await measure('wasm (stock)', 'wasm', batches, 1));
  registerWasmTrainingKernels(['Conv2DBackpropFilter']);
  runs.push(await measure('wasm + Conv2DBackpropFilter only', 'wasm', batches, Math.min(STEPS, 3)));
  registerWasmTrainingKernels();
  runs.push(...completed);
  const node = await selectBackend('tensorflow').then(
    () => null,
    (e: Error) => e.message,
  );
  if (node === null) runs.push(await measure('tensorflow (tfjs-node)', 'tensorflow', batches, STEPS, WARMUP));
  else runs.push({ name: 'tensorflow (tfjs-node)', steps: [], forwards: [], error: node });

  console.log('\nmedians per batch        step CPU ms  step wall ms  forward CPU ms  step/forward  pairs/CPU-s  pairs/s (wall)');
  const perf = new Map<string, { cpu: number; wall: number }>();
  for (const r of runs) {
    if (r.error !== undefined) {
      console.log(`${r.name.padEnd(33)} cannot train: ${r.error.slice(0, 120)}`);
      continue;
    }
    const s = median(r.steps.map((t) => t.cpu)), w = median(r.steps.map((t) => t.wall)), f = median(r.forwards.map((t) => t.cpu));
    perf.set(r.name, { cpu: (BATCH * 1000) / s, wall: (BATCH * 1000) / w });
    console.log(
      `${r.name.padEnd(33)} ${fmt(s).padStart(9)} ${fmt(w).padStart(13)} ${fmt(f).padStart(15)} ${fmt(s / f, 2).padStart(13)} ${fmt((BATCH * 1000) / s, 0).padStart(12)} ${fmt((BATCH * 1000) / w, 0).padStart(15)}`,
    );
  }
  const ratio = (a: string, b: string, key: 'cpu' | 'wall') => (perf.get(a)?.[key] ?? NaN) / (perf.get(b)?.[key] ?? NaN);
  console.log(`\nwasm (completed) vs cpu (stock): ${fmt(ratio('wasm (completed)', 'cpu (stock)', 'cpu'), 0)}× by CPU time, ${fmt(ratio('wasm (completed)', 'cpu (stock)', 'wall'), 0)}× by wall time (target ≥ 20×)`);
  console.log(`wasm (completed) vs the same with train.adam: ${fmt(ratio('wasm (completed)', 'wasm (completed), train.adam', 'cpu'), 2)}× by CPU time`);
  console.log(`wasm (completed) vs wasm + Conv2DBackpropFilter only: ${fmt(ratio('wasm (completed)', 'wasm + Conv2DBackpropFilter only', 'cpu'), 2)}× by CPU time`);
  if (perf.has('tensorflow (tfjs-node)')) console.log(`tensorflow vs wasm (completed): ${fmt(ratio('tensorflow (tfjs-node)', 'wasm (completed)', 'wall'), 2)}× by wall time`);

  // Where a completed wasm step spends its time, with the lab's Adam and with tfjs's.
  await setBackend('wasm');
  for (const [label, makeOptimizer] of [['FusedAdamOptimizer', fusedAdam], ['train.adam', tfjsAdam]] as const) {
    const model = createSiameseModel({ seed: 42 });
    const optimizer = makeOptimizer();
    const variables = model.trainableWeights.map((w) => w.read() as Variable);
    step(model, optimizer, variables, batches[0]!);
    // The optimiser's update, its kernels included (they also count in the kernel lines).
    let updateMs = 0;
    const apply = optimizer.applyGradients.bind(optimizer);
    optimizer.applyGradients = (grads) => {
      const t0 = cpuMs();
      apply(grads);
      updateMs += cpuMs() - t0;
    };
    const shareSteps = Math.max(3, Math.min(STEPS, 6));
    const { totals, stepTotal } = kernelShares(model, optimizer, variables, batches, shareSteps);
    optimizer.dispose();
    model.dispose();
    const kernelTotal = [...totals.values()].reduce((a, e) => a + e.ms, 0);
    console.log(`\nKernel shares of a completed wasm training step with ${label} (CPU time over ${shareSteps} steps, ${fmt(stepTotal / shareSteps)} ms/step with the timers):`);
    console.log('kernel                        ms/step  share  calls/step');
    const sorted = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const line = (name: string, ms: number, calls?: number) =>
      console.log(`${name.padEnd(28)} ${fmt(ms / shareSteps, 2).padStart(8)} ${fmt((100 * ms) / stepTotal).padStart(5)}% ${calls === undefined ? '' : fmt(calls / shareSteps, 0).padStart(10)}`);
    for (const [name, e] of sorted.slice(0, 16)) line(name, e.ms, e.calls);
    line('(other kernels)', sorted.slice(16).reduce((a, [, e]) => a + e.ms, 0));
    line('(outside kernels: JS, tape)', stepTotal - kernelTotal);
    line('(optimizer.applyGradients)', updateMs);
    console.log(`kernel calls per step: ${fmt([...totals.values()].reduce((a, e) => a + e.calls, 0) / shareSteps, 0)}`);
  }
  if (getKernel('Conv2DBackpropFilter', 'wasm') == null) throw new Error('the training kernels were lost');
}

await main();
