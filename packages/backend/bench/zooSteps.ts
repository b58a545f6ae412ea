// One training step (forward, gradients, SGD update) of each @prune/test-zoo architecture on the
// completed wasm backend against the stock cpu backend, batch 8, in one run: median CPU ms of a few
// steps after a warm-up. Run: pnpm bench (in packages/backend). --stock=Mean,Tile puts those
// kernels' stock wasm versions back, to compare.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { cast, mean, oneHot, reshape, setBackend, tensor1d, tidy, train, type Scalar, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import { metrics } from '@tensorflow/tfjs-layers';
import { ZOO, ZOO_NAMES, type ZooEntry } from '@prune/test-zoo';
import { registerWasmTrainingKernels, restoreStockWasmKernels, type WasmTrainingKernel } from '../src/index';

const BATCH = 8;
const STEPS = Number(process.argv.find((a) => a.startsWith('--steps='))?.slice(8) ?? 5);
const STOCK = (process.argv.find((a) => a.startsWith('--stock='))?.slice(8).split(',') ?? []) as WasmTrainingKernel[];

/** CPU time of this process in ms (less disturbed by a shared machine's load than wall time). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function labelsFor(entry: ZooEntry): Tensor {
  const units = entry.outputUnits();
  return tidy(() => {
    const ids = tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7 + 3) % units), 'int32');
    return entry.loss === 'categorical' ? cast(oneHot(ids, units), 'float32') : reshape(tensor1d(Array.from({ length: BATCH }, (_, i) => i % 2)), [BATCH, 1]);
  });
}

/** Median CPU ms of one SGD step of `entry` on `backend`. */
async function stepMs(entry: ZooEntry, backend: string, steps: number): Promise<number> {
  await setBackend(backend);
  const model = entry.build({ seed: 3 });
  const inputs = entry.randomInputs(BATCH, 1);
  const labels = labelsFor(entry);
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const optimizer = train.sgd(0.01);
  const once = () => {
    const t0 = cpuMs();
    const loss = optimizer.minimize(
      () => {
        const out = model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: true }) as Tensor;
        return mean(entry.loss === 'categorical' ? metrics.categoricalCrossentropy(labels, out) : metrics.binaryCrossentropy(labels, out)) as Scalar;
      },
      true,
      variables,
    )!;
    loss.dataSync();
    loss.dispose();
    return cpuMs() - t0;
  };
  once(); // warm-up
  const times = Array.from({ length: steps }, once).sort((a, b) => a - b);
  optimizer.dispose();
  for (const t of [...inputs, labels]) t.dispose();
  model.dispose();
  return times[times.length >> 1]!;
}

async function main(): Promise<void> {
  registerWasmTrainingKernels();
  if (STOCK.length > 0) restoreStockWasmKernels(STOCK);
  const stockNote = STOCK.length > 0 ? `, stock wasm ${STOCK.join(', ')}` : '';
  console.log(`\nOne training step of each zoo architecture, batch ${BATCH}${stockNote}: median CPU ms of ${STEPS} steps\n`);
  console.log('model           wasm ms    cpu ms   cpu/wasm');
  for (const name of ZOO_NAMES) {
    const entry = ZOO[name] as ZooEntry;
    const wasm = await stepMs(entry, 'wasm', STEPS);
    const cpu = await stepMs(entry, 'cpu', Math.min(STEPS, 3));
    console.log(`${name.padEnd(14)} ${wasm.toFixed(1).padStart(8)} ${cpu.toFixed(1).padStart(9)} ${(cpu / wasm).toFixed(1).padStart(9)}×`);
  }
}

await main();
