import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { conv2d, engine, maxPool, reverse, tensor, transpose, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, createRng, values, worstElement, type Tolerance } from './oracle';

// The tolerances the kernel tests use.
const TOL: Tolerance = { rtol: 5e-6, atol: 5e-7 };
const EXACT: Tolerance = { rtol: 0, atol: 0 };

const rng = createRng(404);
const convInputs = {
  x: { data: values(rng, 2 * 9 * 9 * 8), shape: [2, 9, 9, 8] },
  filter: { data: values(rng, 3 * 3 * 8 * 4), shape: [3, 3, 8, 4] },
  dy: { data: values(rng, 2 * 9 * 9 * 4), shape: [2, 9, 9, 4] },
};
const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' } as const;
const filterGrad = (t: Record<string, Tensor>): Tensor => engine().runKernel('Conv2DBackpropFilter', { x: t.x!, dy: t.dy! }, { ...attrs, filterShape: [3, 3, 8, 4] }) as Tensor;

describe('the kernel checks fail deliberately wrong kernels', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('one element off by 2e-5 relative fails (the old bound, 1e-4 of max|ref|, passed it)', async () => {
    const off = (t: Record<string, Tensor>): Tensor => {
      const good = filterGrad(t);
      const data = Float32Array.from(good.dataSync());
      good.dispose();
      let k = 0;
      for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) > Math.abs(data[k]!)) k = i;
      data[k] = data[k]! * (1 + 2e-5);
      return tensor(data, [3, 3, 8, 4]);
    };
    expect((await compareWithCpu(convInputs, filterGrad, TOL)).ratio).toBeLessThanOrEqual(1);
    const r = await compareWithCpu(convInputs, off, TOL, filterGrad);
    expect(r.relative).toBeLessThanOrEqual(1e-4); // what the old check accepted
    expect(r.ratio).toBeGreaterThan(1);
  });

  it('a small element off by 5e-5 of max|ref| fails', async () => {
    const off = (t: Record<string, Tensor>): Tensor => {
      const good = filterGrad(t);
      const data = Float32Array.from(good.dataSync());
      good.dispose();
      const scale = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let k = 0;
      for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) < Math.abs(data[k]!)) k = i;
      data[k] = data[k]! + 5e-5 * scale;
      return tensor(data, [3, 3, 8, 4]);
    };
    const r = await compareWithCpu(convInputs, off, TOL, filterGrad);
    expect(r.relative).toBeLessThanOrEqual(1e-4);
    expect(r.ratio).toBeGreaterThan(1);
  });

  it('an input gradient with the filter not rotated fails', async () => {
    const unrotated = (t: Record<string, Tensor>): Tensor => conv2d(t.dy as Tensor4D, transpose(t.filter!, [0, 1, 3, 2]) as Tensor4D, 1, 'same');
    const rotated = (t: Record<string, Tensor>): Tensor => conv2d(t.dy as Tensor4D, transpose(reverse(t.filter!, [0, 1]), [0, 1, 3, 2]) as Tensor4D, 1, 'same');
    const reference = (t: Record<string, Tensor>): Tensor => engine().runKernel('Conv2DBackpropInput', { dy: t.dy!, filter: t.filter! }, { ...attrs, inputShape: [2, 9, 9, 8] }) as Tensor;
    expect((await compareWithCpu(convInputs, rotated, TOL, reference)).ratio).toBeLessThanOrEqual(1);
    expect((await compareWithCpu(convInputs, unrotated, TOL, reference)).ratio).toBeGreaterThan(1);
  });

  it("wasm's stock MaxPoolGrad (ties to the last max, windows of zeros dropped) fails", async () => {
    const shape = [2, 8, 8, 4];
    const x = values(rng, 2 * 8 * 8 * 4, 2).map((v) => Math.max(0, v)); // ReLU'd, few levels: ties
    const inputs = { x: { data: x, shape }, dy: { data: values(rng, 2 * 4 * 4 * 4), shape: [2, 4, 4, 4] } };
    const grad = (t: Record<string, Tensor>): Tensor => {
      const y = maxPool(t.x as Tensor4D, 2, 2, 'valid');
      const dx = engine().runKernel('MaxPoolGrad', { dy: t.dy!, input: t.x!, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as Tensor;
      y.dispose();
      return dx;
    };
    expect((await compareWithCpu(inputs, grad, EXACT)).ratio).toBe(0);
    restoreStockWasmKernels(['MaxPoolGrad']);
    try {
      expect((await compareWithCpu(inputs, grad, EXACT)).ratio).toBeGreaterThan(1);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('worstElement: NaN and length mismatches fail', () => {
    expect(worstElement(Float32Array.of(1, Number.NaN), Float32Array.of(1, 2), TOL).ratio).toBe(Number.POSITIVE_INFINITY);
    expect(worstElement(Float32Array.of(1), Float32Array.of(1, 2), TOL).ratio).toBe(Number.POSITIVE_INFINITY);
    expect(worstElement(Float32Array.of(1, 2), Float32Array.of(1, 2), EXACT).ratio).toBe(0);
  });
});
