import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  backend_util,
  cast,
  clone,
  gather,
  unsortedSegmentSum,
  conv2d,
  engine,
  fused,
  getBackend,
  getKernel,
  grads,
  matMul,
  maxPool,
  mean,
  memory,
  mul,
  setBackend,
  sum,
  tensor,
  tidy,
  tile,
  type Tensor,
  type Tensor1D,
  type Tensor4D,
} from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWasmTraining, registerWasmTrainingKernels, restoreStockWasmKernels, WASM_TRAINING_KERNELS } from './registerWasmTrainingKernels';
import { compareWithCpu, createRng, int, pick, runOn, sizeOf, values, type Comparison, type Rng, type Tolerance } from './test-utils/oracle';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
/**
 * Per element: |wasm − cpu| ≤ rtol·|cpu| + atol·max|cpu|. The old bound (1e-4 of max|cpu|, for every
 * element) passed a kernel that is off by 1e-4 relative wherever its values are large and by any amount
 * where they are small; these are set from the measured worst (printed by each test) with a margin.
 */
const TOL: Tolerance = { rtol: 5e-6, atol: 5e-7 };
/**
 * For sums of over a thousand products (the lab's dense1, 1568 inputs): rounding grows with the length of the sum.
 * XNNPACK's matmul is at 1.27 of TOL there at the seed below.
 */
const LONG_SUM: Tolerance = { rtol: 1e-5, atol: 1e-6 };
/** Kernels that only route or add values in the cpu backend's order are exact. */
const EXACT: Tolerance = { rtol: 0, atol: 0 };
/** Worst ratio (of TOL) and max-relative error seen per kernel group, printed after the tests. */
const seen = new Map<string, { ratio: number; relative: number; cases: number }>();
function record(group: string, r: Comparison): Comparison {
  const s = seen.get(group) ?? { ratio: 0, relative: 0, cases: 0 };
  seen.set(group, { ratio: Math.max(s.ratio, r.ratio), relative: Math.max(s.relative, r.relative), cases: s.cases + 1 });
  return r;
}

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  label: string;
}

function convCase(rng: Rng): ConvCase {
  const n = int(rng, 1, 3), h = int(rng, 1, 13), w = int(rng, 1, 13);
  const ci = pick(rng, [1, 2, 3, 8, 16]), co = pick(rng, [1, 3, 8, 32]);
  const strides: [number, number] = [pick(rng, [1, 2]), pick(rng, [1, 2])];
  const padKind = pick(rng, ['same', 'valid', 'same', 'valid', 'explicit'] as const);
  let kh = pick(rng, [1, 2, 3, 5]), kw = pick(rng, [1, 2, 3, 5]);
  let pad: Pad;
  if (padKind === 'explicit') {
    const [t, b, l, r] = [int(rng, 0, 2), int(rng, 0, 2), int(rng, 0, 2), int(rng, 0, 2)];
    kh = Math.min(kh, h + t + b);
    kw = Math.min(kw, w + l + r);
    pad = [[0, 0], [t, b], [l, r], [0, 0]];
  } else {
    if (padKind === 'valid') {
      kh = Math.min(kh, h);
      kw = Math.min(kw, w);
    }
    pad = padKind;
  }
  const label = `x=[${n},${h},${w},${ci}] f=[${kh},${kw},${ci},${co}] s=${strides} pad=${JSON.stringify(pad)}`;
  return { x: [n, h, w, ci], filter: [kh, kw, ci, co], strides, pad, label };
}

function outShape(c: ConvCase): [number, number, number, number] {
  const info = backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape;
}

describe('registerWasmTrainingKernels', () => {
  beforeAll(() => {
    registerWasmTrainingKernels();
  });
  afterAll(() => {
    for (const [group, s] of seen) {
      console.log(`${group}: worst element at ${s.ratio.toFixed(3)} of the tolerance, worst max-relative error ${s.relative.toExponential(2)}, ${s.cases} cases`);
    }
  });

  it('is idempotent, and restoreStockWasmKernels puts the stock kernels back', () => {
    const ours = WASM_TRAINING_KERNELS.map((name) => getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS.map((name) => getKernel(name, 'wasm'))).toEqual(ours);
    expect(ours.every((k) => k != null)).toBe(true);
    try {
      restoreStockWasmKernels();
      expect(getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
      expect(getKernel('MaxPoolGrad', 'wasm')).not.toBe(ours[2]);
      expect(getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    } finally {
      registerWasmTrainingKernels();
    }
    expect(WASM_TRAINING_KERNELS.map((name) => getKernel(name, 'wasm'))).toEqual(ours);
  });

  it('says what it completed, and never "completed" while a gradient kernel is missing', () => {
    const status = registerWasmTrainingKernels();
    expect(status.completed).toEqual([...WASM_TRAINING_KERNELS]);
    expect(status.missing).toEqual([]);
    expect(status.description).toMatch(/^training kernels completed \(Conv2DBackpropFilter, /);
    try {
      restoreStockWasmKernels(['DepthwiseConv2dNativeBackpropInput']);
      const partial = describeWasmTraining();
      expect(partial.missing).toContain('DepthwiseConv2dNativeBackpropInput');
      expect(partial.completed).not.toContain('DepthwiseConv2dNativeBackpropInput');
      expect(partial.description).not.toMatch(/completed/);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('Conv2DBackpropFilter and Conv2DBackpropInput match the cpu backend over random shapes', async () => {
    const rng = createRng(20241127);
    const failures: string[] = [];
    // The lab model's two convs first (one takes the patch-matrix path, the other the dilated conv).
    const fixed: ConvCase[] = [
      { x: [3, 28, 28, 1], filter: [3, 3, 1, 16], strides: [1, 1], pad: 'same', label: 'conv1' },
      { x: [3, 14, 14, 16], filter: [3, 3, 16, 32], strides: [1, 1], pad: 'same', label: 'conv2' },
    ];
    for (let i = 0; i < 62; i++) {
      const c = fixed[i] ?? convCase(rng);
      const dyShape = outShape(c);
      const inputs = {
        x: { data: values(rng, sizeOf(c.x)), shape: c.x },
        filter: { data: values(rng, sizeOf(c.filter)), shape: c.filter },
        dy: { data: values(rng, sizeOf(dyShape)), shape: dyShape },
      };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const };
      const r = await compareWithCpu(inputs, (t) => [
        engine().runKernel('Conv2DBackpropFilter', { x: t.x!, dy: t.dy! }, { ...attrs, filterShape: c.filter }) as Tensor,
        engine().runKernel('Conv2DBackpropInput', { dy: t.dy!, filter: t.filter! }, { ...attrs, inputShape: c.x }) as Tensor,
      ], TOL);
      record('Conv2DBackpropFilter and Conv2DBackpropInput', r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) {
        failures.push(`${c.label}: ratio ${r.ratio}, leaked ${r.leaked}, shapes match ${r.shapesMatch}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('conv2d and fused conv2d gradients (what tfjs-layers trains through) match the cpu backend', async () => {
    const rng = createRng(7);
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const c = convCase(rng);
      const [, , , co] = c.filter;
      const yShape = outShape(c);
      const inputs = {
        x: { data: values(rng, sizeOf(c.x)), shape: c.x },
        filter: { data: values(rng, sizeOf(c.filter)), shape: c.filter },
        bias: { data: values(rng, co), shape: [co] },
        weight: { data: values(rng, sizeOf(yShape)), shape: yShape },
      };
      const r = await compareWithCpu(inputs, (t) => {
        const plain = grads((x: Tensor, f: Tensor) => sum(mul(conv2d(x as Tensor4D, f as Tensor4D, c.strides, c.pad), t.weight!)));
        const fusedGrad = grads((x: Tensor, f: Tensor, b: Tensor) =>
          sum(mul(fused.conv2d({ x: x as Tensor4D, filter: f as Tensor4D, strides: c.strides, pad: c.pad, bias: b, activation: 'relu' }), t.weight!)),
        );
        return [...plain([t.x!, t.filter!]), ...fusedGrad([t.x!, t.filter!, t.bias!])];
      }, TOL);
      record('conv2d and fused conv2d gradients', r);
      if (!(r.ratio <= 1) || r.leaked !== 0) failures.push(`${c.label}: ratio ${r.ratio}, leaked ${r.leaked}`);
    }
    expect(failures).toEqual([]);
  });

  it('MaxPoolGrad matches the cpu backend over random shapes, ties included', async () => {
    const rng = createRng(99);
    const failures: string[] = [];
    for (let i = 0; i < 60; i++) {
      const n = int(rng, 1, 3), h = int(rng, 1, 13), w = int(rng, 1, 13), ch = pick(rng, [1, 2, 5, 16]);
      const pad = pick(rng, ['same', 'valid'] as const);
      let kh = pick(rng, [1, 2, 3]), kw = pick(rng, [1, 2, 3]);
      if (pad === 'valid') {
        kh = Math.min(kh, h);
        kw = Math.min(kw, w);
      }
      // Half the cases tile (stride = window, the usual 2×2 pool); the rest overlap or skip.
      const strides: [number, number] = i % 2 === 0 ? [kh, kw] : [pick(rng, [1, 2, 3]), pick(rng, [1, 2, 3])];
      const xShape = [n, h, w, ch];
      const info = backend_util.computePool2DInfo(xShape as [number, number, number, number], [kh, kw], strides, 1, pad);
      // Few distinct levels, half of them clipped to 0 as after a ReLU: windows often hold ties.
      const xData = values(rng, sizeOf(xShape), 2).map((v) => Math.max(0, v));
      const inputs = {
        x: { data: xData, shape: xShape },
        dy: { data: values(rng, sizeOf(info.outShape)), shape: info.outShape },
      };
      const attrs = { filterSize: [kh, kw], strides, pad };
      const r = await compareWithCpu(inputs, (t) => {
        const y = maxPool(t.x as Tensor4D, [kh, kw], strides, pad);
        const dx = engine().runKernel('MaxPoolGrad', { dy: t.dy!, input: t.x!, output: y }, attrs) as Tensor;
        y.dispose();
        const viaGrad = grads((x: Tensor) => sum(mul(maxPool(x as Tensor4D, [kh, kw], strides, pad), t.dy!)))([t.x!]);
        return [dx, ...viaGrad];
      }, EXACT);
      const label = `x=[${xShape}] k=[${kh},${kw}] s=${strides} pad=${pad}`;
      record('MaxPoolGrad', r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`${label}: ratio ${r.ratio}, leaked ${r.leaked}`);
    }
    expect(failures).toEqual([]);
  });

  it('BatchMatMul, with and without transposes, matches the cpu backend', async () => {
    const rng = createRng(3);
    const failures: string[] = [];
    // The lab's Dense products at 128 images first (forward, dx, dW of dense1), then random shapes.
    interface Product { aShape: number[]; bShape: number[]; transposeA: boolean; transposeB: boolean }
    const lab: Product[] = [
      { aShape: [128, 1568], bShape: [1568, 128], transposeA: false, transposeB: false },
      { aShape: [128, 128], bShape: [1568, 128], transposeA: false, transposeB: true },
      { aShape: [128, 1568], bShape: [128, 128], transposeA: true, transposeB: false },
    ];
    for (let i = 0; i < 43; i++) {
      const m = int(rng, 1, 40), k = int(rng, 1, 40), nn = i % 3 === 0 ? int(rng, 1, 40) : 4 * int(rng, 1, 10);
      const batch = pick(rng, [[], [], [1], [3], [2, 2]] as number[][]);
      const bBatch = batch.length > 0 && i % 3 === 0 ? batch.map(() => 1) : batch; // broadcast b's batch
      const tA = i % 2 === 1, tB = i % 4 >= 2;
      const { aShape, bShape, transposeA, transposeB } = lab[i] ?? {
        aShape: [...batch, ...(tA ? [k, m] : [m, k])],
        bShape: [...bBatch, ...(tB ? [nn, k] : [k, nn])],
        transposeA: tA,
        transposeB: tB,
      };
      const inputs = { a: { data: values(rng, sizeOf(aShape)), shape: aShape }, b: { data: values(rng, sizeOf(bShape)), shape: bShape } };
      const r = await compareWithCpu(inputs, (t) => matMul(t.a!, t.b!, transposeA, transposeB), lab[i] ? LONG_SUM : TOL);
      record('BatchMatMul', r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) {
        failures.push(`a=[${aShape}] b=[${bShape}] tA=${transposeA} tB=${transposeB}: ratio ${r.ratio}, leaked ${r.leaked}`);
      }
    }
    expect(failures).toEqual([]);
  });

  // Sum and Mean share one leading-axes reduction on wasm; each is checked on its own random cases.
  it.each([
    ['Sum', sum, 11],
    ['Mean', mean, 12],
  ] as const)('%s matches the cpu backend over random shapes and axes, keepDims or not', async (name, op, seed) => {
    const rng = createRng(seed);
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const rank = int(rng, 1, 4);
      const shape = Array.from({ length: rank }, () => int(rng, 1, 9));
      const count = int(rng, 1, rank);
      // Leading axes (the replaced path) half the time, any axes otherwise.
      const axes = i % 2 === 0 ? Array.from({ length: count }, (_, k) => k) : [...new Set(Array.from({ length: count }, () => int(rng, 0, rank - 1)))];
      const keepDims = i % 3 === 0;
      const r = await compareWithCpu({ x: { data: values(rng, sizeOf(shape)), shape } }, (t) => op(t.x!, axes, keepDims), TOL);
      record(name, r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`x=[${shape}] axes=${axes} keepDims=${keepDims}: ratio ${r.ratio}`);
    }
    expect(failures).toEqual([]);
  });

  it('Tile matches the cpu backend exactly, whole-block repeats (BatchNormalization gradients) and others', async () => {
    const rng = createRng(14);
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const rank = int(rng, 1, 4);
      // Half the cases [1, …, 1, c] (the fast path), the rest any shape.
      const shape = Array.from({ length: rank }, (_, k) => (i % 2 === 0 && k < rank - 1 ? 1 : int(rng, 1, 5)));
      const reps = Array.from({ length: rank }, () => int(rng, 1, 4));
      const r = await compareWithCpu({ x: { data: values(rng, sizeOf(shape)), shape } }, (t) => tile(t.x!, reps), EXACT);
      record('Tile', r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`x=[${shape}] reps=${reps}: ratio ${r.ratio}`);
    }
    expect(failures).toEqual([]);
  });

  it('UnsortedSegmentSum (gather gradients) matches the cpu backend', async () => {
    const rng = createRng(13);
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const rows = int(rng, 1, 12), inner = pick(rng, [[], [3], [2, 4]] as number[][]), segments = int(rng, 1, 6);
      const ids = Float32Array.from({ length: rows }, () => int(rng, -1, segments)); // includes out-of-range ids
      const inputs = { x: { data: values(rng, rows * inner.reduce((a, b) => a * b, 1)), shape: [rows, ...inner] }, ids: { data: ids, shape: [rows] } };
      const r = await compareWithCpu(inputs, (t) => tidy(() => unsortedSegmentSum(t.x!, cast(t.ids!, 'int32') as Tensor1D, segments)), EXACT);
      record('UnsortedSegmentSum', r);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`rows=${rows} inner=[${inner}] segments=${segments}: ${JSON.stringify(r)}`);
    }
    const viaGather = await compareWithCpu(
      { table: { data: values(rng, 7 * 5), shape: [7, 5] }, w: { data: values(rng, 6 * 5), shape: [6, 5] } },
      (t) => grads((table: Tensor) => sum(mul(gather(table, [3, 0, 3, 6, 1, 3]), t.w!)))([t.table!]),
      EXACT,
    );
    record('gather gradient', viaGather);
    expect(viaGather.ratio).toBeLessThanOrEqual(1);
    expect(failures).toEqual([]);
  });

  it('Cast to the same dtype shares the data; other casts still convert', async () => {
    const previous = getBackend();
    await setBackend('wasm');
    try {
      const before = memory().numTensors;
      const x = tensor([1.5, -2, 0, 3], [2, 2]);
      const buffers = memory().numDataBuffers;
      const same = cast(x, 'float32');
      expect(memory().numDataBuffers).toBe(buffers); // no new buffer
      const ints = cast(x, 'int32');
      expect(ints.dtype).toBe('int32');
      expect(Array.from(ints.dataSync())).toEqual([1, -2, 0, 3]);
      x.dispose();
      expect(Array.from(same.dataSync())).toEqual([1.5, -2, 0, 3]); // still alive through the cast
      same.dispose();
      ints.dispose();
      expect(memory().numTensors).toBe(before);
    } finally {
      await setBackend(previous);
    }
  });

  it('Identity shares the data without a copy and leaks nothing', async () => {
    const previous = getBackend();
    await setBackend('wasm');
    try {
      const before = memory().numTensors;
      const x = tensor([1, 2, 3, 4], [2, 2]);
      const y = clone(x);
      const buffers = memory().numDataBuffers;
      const z = clone(y);
      expect(memory().numDataBuffers).toBe(buffers); // no new buffer
      x.dispose();
      y.dispose();
      expect(Array.from(z.dataSync())).toEqual([1, 2, 3, 4]); // still alive through z
      z.dispose();
      expect(memory().numTensors).toBe(before);
    } finally {
      await setBackend(previous);
    }
  });

  it('wasm cannot compute a conv filter gradient without the completion', async () => {
    const inputs = { x: { data: new Float32Array(2 * 5 * 5 * 3).fill(1), shape: [2, 5, 5, 3] }, f: { data: new Float32Array(3 * 3 * 3 * 4).fill(1), shape: [3, 3, 3, 4] } };
    const filterGrad = (t: Record<string, Tensor>) => grads((x: Tensor, f: Tensor) => sum(conv2d(x as Tensor4D, f as Tensor4D, 1, 'same')))([t.x!, t.f!]);
    restoreStockWasmKernels();
    try {
      await expect(runOn('wasm', inputs, filterGrad)).rejects.toThrow(/Conv2DBackpropFilter/);
    } finally {
      registerWasmTrainingKernels();
    }
    const done = await runOn('wasm', inputs, filterGrad);
    // Every filter tap sees all-ones inputs: 2 images × the positions it overlaps.
    expect(done.outputs[1]!.data[0]).toBe(2 * 4 * 4); // tap (0,0) with 'same' padding overlaps 4×4 outputs
  });
});
