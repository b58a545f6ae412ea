import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { engine, maxPool, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, createRng, int, isValidWasm, pick, values, withWasmMemory, type Tolerance } from '../test-utils/oracle';
import { maxPool2x2GradModule, maxPool2x2GradOn } from './simdMaxPool2x2Grad';

const EXACT: Tolerance = { rtol: 0, atol: 0 };

describe('the WebAssembly SIMD 2×2 MaxPoolGrad', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('assembles into a valid module, shared-memory variant included, and binds to the wasm backend', async () => {
    expect(isValidWasm(maxPool2x2GradModule(false))).toBe(true);
    expect(isValidWasm(maxPool2x2GradModule(true))).toBe(true);
    await withWasmMemory((memory) => {
      expect(maxPool2x2GradOn(memory)).toBeTypeOf('function'); // so the cases below take it
    });
  });

  it('matches the cpu backend exactly: ties, windows of zeros, −∞ and NaN, odd sizes', async () => {
    const rng = createRng(2222);
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const shape = [int(rng, 1, 3), int(rng, 2, 13), int(rng, 2, 13), pick(rng, [4, 8, 12, 32])];
      const size = shape.reduce((a, b) => a * b, 1);
      const x = values(rng, size, 2).map((v) => Math.max(0, v)); // ReLU'd, few levels: ties and zero windows
      if (i % 4 === 3) for (let k = 0; k < size; k += 7) x[k] = k % 3 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
      const out = [shape[0]!, Math.floor(shape[1]! / 2), Math.floor(shape[2]! / 2), shape[3]!];
      const inputs = { x: { data: x, shape }, dy: { data: values(rng, out.reduce((a, b) => a * b, 1)), shape: out } };
      const r = await compareWithCpu(
        inputs,
        (t) => {
          const y = maxPool(t.x as Tensor4D, 2, 2, 'valid');
          const dx = engine().runKernel('MaxPoolGrad', { dy: t.dy!, input: t.x!, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as Tensor;
          y.dispose();
          return dx;
        },
        EXACT,
      );
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`x=[${shape}]: ${JSON.stringify(r)}`);
    }
    expect(failures).toEqual([]);
  });
});
