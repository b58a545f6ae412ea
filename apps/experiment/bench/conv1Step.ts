// What conv1's SIMD kernels (one input channel: Conv2DBackpropInput, FusedConv2D) change in a training step of the
// lab's Siamese model (batch 64 pairs, one wasm thread): three variants alternating step by step in one run, so a
// shared machine's load weighs on all alike; medians of CPU ms. The first variant is the previous dx path (a
// depthwise conv per dy channel, then a channel sum), re-created here for the comparison.
// Run: cd apps/experiment && pnpm exec tsx --conditions=@prune/source bench/conv1Step.ts [--rounds=N] [--reverse]
import '@tensorflow/tfjs-backend-wasm';
import {
  depthwiseConv2d, getKernel, mean, randomUniform, registerKernel, reshape, reverse, setBackend, sum, tensor1d, tidy,
  unregisterKernel, type KernelConfig, type Scalar, type Tensor, type Tensor4D, type Variable,
} from '@tensorflow/tfjs-core';
import { metrics } from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '@prune/backend';
import { createSiameseModel, labAdam } from '@prune/siamese';

const ROUNDS = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 25);

/** CPU time of this process in ms (single-threaded wasm and JS work: less disturbed by load than wall time). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

/** Conv2DBackpropInput with the previous one-channel path for conv1 ('same', 3×3, stride 1), ours otherwise. */
function previousDx(ours: KernelConfig): KernelConfig {
  return {
    ...ours,
    kernelFunc: (args) => {
      const { dy, filter } = args.inputs as { dy: Tensor4D; filter: Tensor4D };
      if (filter.shape[2] !== 1) return ours.kernelFunc(args);
      return tidy(() => {
        const [kh, kw, , co] = filter.shape;
        const rotated = reshape(reverse(filter, [0, 1]), [kh, kw, co, 1]) as Tensor4D;
        return sum(depthwiseConv2d(dy, rotated, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, true);
      });
    },
  };
}

async function main(): Promise<void> {
  await setBackend('wasm');
  registerWasmTrainingKernels();
  const ours = getKernel('Conv2DBackpropInput', 'wasm')!;
  const previous = previousDx(ours);
  const setDx = (k: KernelConfig) => {
    unregisterKernel('Conv2DBackpropInput', 'wasm');
    registerKernel(k);
  };
  const model = createSiameseModel({ seed: 42 });
  const optimizer = labAdam(1e-3);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const left = randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1), right = randomUniform([64, 28, 28, 1], 0, 1, 'float32', 2);
  const labels = tensor1d(Array.from({ length: 64 }, (_, i) => i % 2));
  const step = () => {
    const t0 = cpuMs();
    const loss = optimizer.minimize(() => {
      const p = model.apply([left, right], { training: true }) as Tensor;
      return mean(metrics.binaryCrossentropy(reshape(labels, [-1, 1]), p)) as Scalar;
    }, true, variables);
    loss!.dataSync();
    loss!.dispose();
    return cpuMs() - t0;
  };
  const forward = () => {
    const t0 = cpuMs();
    const p = tidy(() => model.apply([left, right], { training: false }) as Tensor);
    p.dataSync();
    p.dispose();
    return cpuMs() - t0;
  };
  const variants: [string, () => void][] = [
    ['depthwise dx, XNNPACK forward (before)', () => { setDx(previous); restoreStockWasmKernels(['FusedConv2D']); }],
    ['SIMD dx, XNNPACK forward', () => { setDx(ours); restoreStockWasmKernels(['FusedConv2D']); }],
    ['SIMD dx, SIMD forward (now)', () => { setDx(ours); registerWasmTrainingKernels(['FusedConv2D']); }],
  ];
  if (process.argv.includes('--reverse')) variants.reverse(); // the first of a round measured a little slower
  const times = variants.map(() => ({ step: [] as number[], forward: [] as number[] }));
  for (const [, use] of variants) {
    use();
    step();
    step();
    forward();
  }
  for (let r = 0; r < ROUNDS; r++) {
    variants.forEach(([, use], v) => {
      use();
      times[v]!.step.push(step());
      times[v]!.forward.push(forward());
    });
  }
  registerWasmTrainingKernels();
  console.log(`Siamese step, batch 64 pairs, one wasm thread: median CPU ms over ${ROUNDS} rounds, variants alternating`);
  variants.forEach(([name], v) => console.log(`${name.padEnd(40)} step ${median(times[v]!.step).toFixed(1)}  forward ${median(times[v]!.forward).toFixed(1)}`));
}

await main();
