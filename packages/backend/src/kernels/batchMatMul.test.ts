import { matMul, memory, randomNormal, reshape, tidy, type Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../registerWasmTrainingKernels';
import { selectBackend } from '../selectBackend';
import { createRng, int, pick } from '../test-utils/oracle';

const bits = (t: Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('BatchMatMul without transposes on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { threads: 1 });
  });

  it("is bit-identical to XNNPACK's matmul over random shapes, and leaks nothing", () => {
    const rng = createRng(17);
    const mismatches: string[] = [];
    const before = memory().numTensors;
    // The lab's Dense products at 64 and 128 images first, then random shapes (N a multiple of 4 or not, A with a
    // batch, B of one matrix or broadcast [1, K, N]).
    const shapes: [number[], number[]][] = [[[128, 1568], [1568, 128]], [[64, 1568], [1568, 128]], [[1568, 64], [64, 128]], [[1568, 128], [128, 64]]];
    for (let i = 0; i < 40; i++) {
      const m = int(rng, 1, 200), k = int(rng, 1, 300), n = i % 5 === 0 ? int(rng, 1, 60) : 4 * int(rng, 1, 40);
      const batch = pick(rng, [[], [], [3], [2, 2]] as number[][]);
      shapes.push([[...batch, m, k], batch.length > 0 && i % 2 === 0 ? [1, k, n] : batch.length > 0 ? [...batch, k, n] : [k, n]]);
    }
    for (const [aShape, bShape] of shapes) {
      const [a, b] = [randomNormal(aShape), randomNormal(bShape)];
      const ours = tidy(() => bits(matMul(a, b)));
      restoreStockWasmKernels();
      // The stock kernel runs XNNPACK for equal batches; with B broadcast it loops in blocks of k, so there the
      // reference is the same product as one [B·M, K] × [K, N] matmul. Where N is not a multiple of 4 both are
      // the stock kernel.
      const [k, n] = bShape.slice(-2) as [number, number];
      const broadcast = bShape.length > 2 && bShape[0] === 1 && aShape.length > 2 && n % 4 === 0;
      const stock = tidy(() => bits(broadcast ? matMul(reshape(a, [-1, k]), reshape(b, [k, -1])) : matMul(a, b)));
      registerWasmTrainingKernels();
      if (ours.some((x, j) => x !== stock[j])) mismatches.push(`a=[${aShape}] b=[${bShape}]`);
      a.dispose();
      b.dispose();
    }
    expect(mismatches).toEqual([]);
    expect(memory().numTensors).toBe(before);
  });
});
