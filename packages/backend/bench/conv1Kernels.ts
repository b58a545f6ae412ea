// The lab's first conv layer (one input channel): the assembled SIMD kernels against what they replace,
// the two ways alternating call by call (a shared machine's load then weighs on both alike), the kernel
// call only (reading a 3 MB output costs more than the forward conv itself). Run: pnpm bench.
import '@tensorflow/tfjs-backend-wasm';
import { depthwiseConv2d, engine, randomUniform, reshape, reverse, setBackend, sum, tensor, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../src/index';

/** CPU time of this process in ms (see kernels.ts). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const REPS = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 41);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

/** The previous dx path for one input channel: a depthwise conv per dy channel, then a channel sum (3×3, stride 1). */
function depthwiseDx(dy: Tensor4D, filter: Tensor4D, pad: 'valid' | 'same'): Tensor {
  return tidy(() => {
    const [kh, kw, , co] = filter.shape;
    const rotated = reshape(reverse(filter, [0, 1]), [kh, kw, co, 1]) as Tensor4D;
    const p = pad === 'valid' ? 2 : 1;
    return sum(depthwiseConv2d(dy, rotated, 1, [[0, 0], [p, p], [p, p], [0, 0]]), 3, true);
  });
}

interface Way {
  /** Makes the call's fresh data input (weights stay, as in training) and returns the call. */
  prepare: () => () => Tensor;
  /** Installs the kernels this way needs. */
  use: () => void;
}

/** Median CPU ms of a and b, alternating, and the largest |a − b| over the outputs. */
function compare(a: Way, b: Way): { a: number; b: number; diff: number } {
  const ta: number[] = [], tb: number[] = [];
  let diff = 0;
  const once = (way: Way) => {
    way.use();
    const call = way.prepare();
    const t0 = cpuMs();
    const out = call();
    const ms = cpuMs() - t0;
    const data = out.dataSync().slice();
    out.dispose();
    return { ms, data };
  };
  for (let i = 0; i < REPS + 2; i++) {
    const ra = once(a), rb = once(b);
    if (i >= 2) { ta.push(ra.ms); tb.push(rb.ms); } // two warm-ups: module compilation and tier-up
    for (let k = 0; k < ra.data.length; k++) diff = Math.max(diff, Math.abs(ra.data[k]! - rb.data[k]!));
  }
  return { a: median(ta), b: median(tb), diff };
}

async function main(): Promise<void> {
  await setBackend('wasm');
  registerWasmTrainingKernels();
  console.log(`conv1 (28×28×1, 3×3, stride 1): median CPU ms of ${REPS} kernel calls, alternating, fresh data inputs\n`);
  console.log('case                                            before  after  before/after  GMAC/s after  max|after − before|');
  const fresh = (t: Tensor): Tensor => tensor(t.dataSync(), t.shape);
  for (const n of [64, 128]) {
    for (const co of [16, 32]) {
      for (const pad of ['valid', 'same'] as const) {
        const side = pad === 'valid' ? 26 : 28;
        const dy = randomUniform([n, side, side, co], -1, 1, 'float32', 1) as Tensor4D;
        const filter = randomUniform([3, 3, 1, co], -1, 1, 'float32', 2) as Tensor4D;
        const x = randomUniform([n, 28, 28, 1], 0, 1, 'float32', 3), bias = randomUniform([co], -1, 1, 'float32', 4);
        const withFresh = (input: Tensor, run: (t: Tensor) => Tensor) => () => {
          const t = fresh(input);
          return () => { try { return run(t); } finally { t.dispose(); } };
        };
        const dxAttrs = { strides: 1, pad, dataFormat: 'NHWC', inputShape: [n, 28, 28, 1] };
        const stay = () => {};
        const rows: [string, Way, Way][] = [
          ['dx (depthwise → SIMD)', { prepare: withFresh(dy, (t) => depthwiseDx(t as Tensor4D, filter, pad)), use: stay },
            { prepare: withFresh(dy, (t) => engine().runKernel('Conv2DBackpropInput', { dy: t, filter }, dxAttrs) as Tensor), use: stay }],
          ...(['linear', 'relu'] as const).map((activation): [string, Way, Way] => {
            const prepare = withFresh(x, (t) => engine().runKernel('FusedConv2D', { x: t, filter, bias }, { strides: 1, pad, dataFormat: 'NHWC', dilations: 1, activation }) as Tensor);
            return [`fwd ${activation} (XNNPACK → SIMD)`, { prepare, use: () => restoreStockWasmKernels(['FusedConv2D']) }, { prepare, use: () => registerWasmTrainingKernels(['FusedConv2D']) }];
          }),
        ];
        for (const [label, before, after] of rows) {
          const r = compare(before, after);
          const macs = n * side * side * 9 * co; // dx: one MAC per dy element and tap; forward: per output and tap
          const fwdMacs = n * (pad === 'valid' ? 26 * 26 : 28 * 28) * 9 * co;
          const gmac = (label.startsWith('dx') ? macs : fwdMacs) / r.b / 1e6;
          console.log(`n=${n} co=${co} ${pad.padEnd(5)} ${label.padEnd(33)} ${r.a.toFixed(2).padStart(6)} ${r.b.toFixed(2).padStart(6)} ${`${(r.a / r.b).toFixed(2)}×`.padStart(13)} ${gmac.toFixed(1).padStart(13)} ${r.diff.toExponential(1).padStart(20)}`);
        }
        for (const t of [dy, filter, x, bias]) t.dispose();
      }
    }
  }
}

await main();
