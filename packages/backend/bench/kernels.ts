// Stock vs replacement wasm training kernels at the shapes of the lab's Siamese model (batch 64 images),
// with the forward kernel of the same layer for scale. Run: pnpm bench (in packages/backend).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { engine, randomUniform, setBackend, tensor, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, restoreStockWasmKernels, type WasmTrainingKernel } from '../src/index';

/**
 * CPU time of this process in ms. The machines these run on are shared: wall time swings with other
 * processes' load, the CPU time of single-threaded wasm and JS work much less.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const REPS = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 10);

/** Median ms of a kernel call; results are read with dataSync outside any tidy, after a warm-up. */
function time(kernel: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap, reps = REPS): number {
  const once = () => {
    // Fresh copies, as in training: XNNPACK caches its packed operands by tensor.
    const fresh = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tensor(v.dataSync(), v.shape)]));
    const t0 = cpuMs();
    const out = engine().runKernel(kernel, fresh, attrs) as Tensor;
    out.dataSync();
    const ms = cpuMs() - t0;
    out.dispose();
    for (const t of Object.values(fresh)) t.dispose();
    return ms;
  };
  once();
  once();
  const times = Array.from({ length: reps }, once).sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

interface Case {
  label: string;
  kernel: WasmTrainingKernel;
  inputs: () => Record<string, Tensor>;
  attrs: NamedAttrMap;
  forward?: { kernel: string; inputs: () => Record<string, Tensor>; attrs: NamedAttrMap };
}

const r = (shape: number[]) => randomUniform(shape, -1, 1, 'float32', 1);
const convAttrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 };
const cases: Case[] = [
  {
    label: 'conv1 dW   x[64,28,28,1] dy[64,28,28,16]',
    kernel: 'Conv2DBackpropFilter',
    inputs: () => ({ x: r([64, 28, 28, 1]), dy: r([64, 28, 28, 16]) }),
    attrs: { ...convAttrs, filterShape: [3, 3, 1, 16] },
    forward: { kernel: 'Conv2D', inputs: () => ({ x: r([64, 28, 28, 1]), filter: r([3, 3, 1, 16]) }), attrs: convAttrs },
  },
  {
    label: 'conv2 dW   x[64,14,14,16] dy[64,14,14,32]',
    kernel: 'Conv2DBackpropFilter',
    inputs: () => ({ x: r([64, 14, 14, 16]), dy: r([64, 14, 14, 32]) }),
    attrs: { ...convAttrs, filterShape: [3, 3, 16, 32] },
    forward: { kernel: 'Conv2D', inputs: () => ({ x: r([64, 14, 14, 16]), filter: r([3, 3, 16, 32]) }), attrs: convAttrs },
  },
  {
    label: 'conv1 dx   dy[64,28,28,16] f[3,3,1,16]',
    kernel: 'Conv2DBackpropInput',
    inputs: () => ({ dy: r([64, 28, 28, 16]), filter: r([3, 3, 1, 16]) }),
    attrs: { ...convAttrs, inputShape: [64, 28, 28, 1] },
    forward: { kernel: 'Conv2D', inputs: () => ({ x: r([64, 28, 28, 1]), filter: r([3, 3, 1, 16]) }), attrs: convAttrs },
  },
  // conv1 with 32 channels and valid padding, at two batch sizes.
  ...([64, 128] as const).map((n): Case => ({
    label: `conv1 dx   dy[${n},26,26,32] f[3,3,1,32] valid`,
    kernel: 'Conv2DBackpropInput',
    inputs: () => ({ dy: r([n, 26, 26, 32]), filter: r([3, 3, 1, 32]) }),
    attrs: { ...convAttrs, pad: 'valid', inputShape: [n, 28, 28, 1] },
    forward: { kernel: 'Conv2D', inputs: () => ({ x: r([n, 28, 28, 1]), filter: r([3, 3, 1, 32]) }), attrs: { ...convAttrs, pad: 'valid' } },
  })),
  {
    label: 'conv2 dx   dy[64,14,14,32] f[3,3,16,32]',
    kernel: 'Conv2DBackpropInput',
    inputs: () => ({ dy: r([64, 14, 14, 32]), filter: r([3, 3, 16, 32]) }),
    attrs: { ...convAttrs, inputShape: [64, 14, 14, 16] },
    forward: { kernel: 'Conv2D', inputs: () => ({ x: r([64, 14, 14, 16]), filter: r([3, 3, 16, 32]) }), attrs: convAttrs },
  },
  ...(
    [
      ['pool1', [64, 28, 28, 16]],
      ['pool2', [64, 14, 14, 32]],
    ] as const
  ).map(([name, shape]): Case => {
    const pool = { filterSize: 2, strides: 2, pad: 'valid' };
    const out = [shape[0], shape[1] / 2, shape[2] / 2, shape[3]];
    return {
      label: `${name} grad x[${shape}]`,
      kernel: 'MaxPoolGrad',
      inputs: () => {
        const x = r([...shape]);
        const output = engine().runKernel('MaxPool', { x }, pool) as Tensor;
        return { dy: r(out), input: x, output };
      },
      attrs: pool,
      forward: { kernel: 'MaxPool', inputs: () => ({ x: r([...shape]) }), attrs: pool },
    };
  }),
  ...(
    [
      ['dense1 dW  x[64,1568]ᵀ·dy[64,128]', [64, 1568], [64, 128], true, false, [64, 1568], [1568, 128]],
      ['dense1 dx  dy[64,128]·W[1568,128]ᵀ', [64, 128], [1568, 128], false, true, [64, 1568], [1568, 128]],
      ['embed dW   x[64,128]ᵀ·dy[64,64]', [64, 128], [64, 64], true, false, [64, 128], [128, 64]],
    ] as const
  ).map(([label, a, b, transposeA, transposeB, fa, fb]): Case => ({
    label,
    kernel: 'BatchMatMul',
    inputs: () => ({ a: r([1, ...a]), b: r([1, ...b]) }),
    attrs: { transposeA, transposeB },
    forward: { kernel: 'BatchMatMul', inputs: () => ({ a: r([1, ...fa]), b: r([1, ...fb]) }), attrs: { transposeA: false, transposeB: false } },
  })),
  // MobileNet-style depthwise layers and BatchNormalization's reductions (not in the lab model).
  ...(
    [
      ['dw s1 dx  dy[16,56,56,32] f[3,3,32,1]', 1, [16, 56, 56, 32]],
      ['dw s2 dx  dy[16,28,28,64] f[3,3,64,1]', 2, [16, 56, 56, 64]],
    ] as const
  ).map(([label, stride, x]): Case => {
    const attrs = { strides: stride, pad: 'same', dilations: 1 };
    const c = x[3];
    const dy = [x[0], x[1] / stride, x[2] / stride, c];
    return {
      label,
      kernel: 'DepthwiseConv2dNativeBackpropInput',
      inputs: () => ({ dy: r(dy), filter: r([3, 3, c, 1]) }),
      attrs: { ...attrs, inputShape: [...x] },
      forward: { kernel: 'DepthwiseConv2dNative', inputs: () => ({ x: r([...x]), filter: r([3, 3, c, 1]) }), attrs },
    };
  }),
  ...(
    [
      ['dw s1 dW  x[16,56,56,32]', 1, [16, 56, 56, 32]],
      ['dw s2 dW  x[16,56,56,64]', 2, [16, 56, 56, 64]],
    ] as const
  ).map(([label, stride, x]): Case => {
    const attrs = { strides: stride, pad: 'same', dilations: 1 };
    const c = x[3];
    const dy = [x[0], x[1] / stride, x[2] / stride, c];
    return {
      label,
      kernel: 'DepthwiseConv2dNativeBackpropFilter',
      inputs: () => ({ x: r([...x]), dy: r(dy) }),
      attrs: { ...attrs, filterShape: [3, 3, c, 1] },
      forward: { kernel: 'DepthwiseConv2dNative', inputs: () => ({ x: r([...x]), filter: r([3, 3, c, 1]) }), attrs },
    };
  }),
  {
    label: 'BN mean x[16,56,56,32] over n,h,w',
    kernel: 'Mean',
    inputs: () => ({ x: r([16, 56, 56, 32]) }),
    attrs: { axis: [0, 1, 2], keepDims: true },
  },
  {
    label: 'BN tile [1,1,1,32] to [16,56,56,32]',
    kernel: 'Tile',
    inputs: () => ({ x: r([1, 1, 1, 32]) }),
    attrs: { reps: [16, 56, 56, 1] },
  },
];

async function main(): Promise<void> {
  await setBackend('wasm');
  console.log(`wasm training kernels at the Siamese model's shapes: median CPU ms of ${REPS} calls on fresh inputs\n`);
  console.log('case                                            forward   stock  ours  stock/ours  ours/forward');
  for (const c of cases) {
    const inputs = c.inputs();
    const fwdInputs = c.forward?.inputs();
    const forward = c.forward && fwdInputs ? time(c.forward.kernel, fwdInputs, c.forward.attrs) : NaN;
    restoreStockWasmKernels([c.kernel]);
    let stock = NaN;
    try {
      stock = time(c.kernel, inputs, c.attrs, Math.min(REPS, 3));
    } catch {
      stock = NaN; // wasm has no such kernel
    }
    registerWasmTrainingKernels([c.kernel]);
    const ours = time(c.kernel, inputs, c.attrs);
    const stockText = Number.isNaN(stock) ? 'none' : stock.toFixed(2);
    const ratio = Number.isNaN(stock) ? '-' : `${(stock / ours).toFixed(1)}×`;
    console.log(
      `${c.label.padEnd(47)} ${forward.toFixed(2).padStart(7)} ${stockText.padStart(7)} ${ours.toFixed(2).padStart(5)} ${ratio.padStart(11)} ${(ours / forward).toFixed(2).padStart(12)}`,
    );
    for (const t of [...Object.values(inputs), ...Object.values(fwdInputs ?? {})]) t.dispose();
  }
  // Stock cpu's filter gradient, for scale (wasm has none): one call, it takes a while.
  await setBackend('cpu');
  const x = r([64, 14, 14, 16]), dy = r([64, 14, 14, 32]);
  const t0 = cpuMs();
  const dW = engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...convAttrs, filterShape: [3, 3, 16, 32] }) as Tensor;
  dW.dataSync();
  console.log(`\ncpu (stock) conv2 dW: ${(cpuMs() - t0).toFixed(0)} ms (one call)`);
  for (const t of [x, dy, dW]) t.dispose();
}

await main();
