import { conv2d, depthwiseConv2d, fused, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, createRng, int, pick, sizeOf, values, type Tolerance } from '../test-utils/oracle';

const TOL: Tolerance = { rtol: 2e-6, atol: 2e-7 };

function strided(seed: number, count: number) {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const x = [int(rng, 1, 2), int(rng, 1, 12), int(rng, 1, 12), pick(rng, [1, 2, 3])];
    const f = [pick(rng, [1, 2, 3, 5]), pick(rng, [1, 2, 3, 5]), x[3]!, pick(rng, [1, 2])];
    const strides: [number, number] = [pick(rng, [1, 2, 3]), pick(rng, [2, 3])];
    return { strides, inputs: { x: { data: values(rng, sizeOf(x)), shape: x }, f: { data: values(rng, sizeOf(f)), shape: f }, b: { data: values(rng, f[3]!), shape: [f[3]!] }, db: { data: values(rng, x[3]! * f[3]!), shape: [x[3]! * f[3]!] } } };
  });
}

const forward = (strides: [number, number]) => (t: Record<string, Tensor>): Tensor[] => {
  const x = t.x as Tensor4D, f = t.f as Tensor4D;
  return [
    conv2d(x, f, strides, 'same'),
    fused.conv2d({ x, filter: f, strides, pad: 'same', bias: t.b, activation: 'relu' }),
    depthwiseConv2d(x, f, strides, 'same'),
    fused.depthwiseConv2d({ x, filter: f, strides, pad: 'same', bias: t.db }),
  ];
};

describe("strided convolutions with 'same' padding on wasm", () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('match the cpu backend (conv2d, fused conv2d, depthwise, fused depthwise)', async () => {
    const failures: string[] = [];
    for (const c of strided(31, 80)) {
      const r = await compareWithCpu(c.inputs, forward(c.strides), TOL);
      if (!(r.ratio <= 1) || r.leaked !== 0 || !r.shapesMatch) failures.push(`x=[${c.inputs.x.shape}] f=[${c.inputs.f.shape}] s=${c.strides}: ${JSON.stringify(r)}`);
    }
    expect(failures).toEqual([]);
  });

  it("come out as zeros from wasm's stock kernels for some shapes, which is what this replaces", async () => {
    restoreStockWasmKernels(['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D']);
    try {
      // One of the random cases that came out as zeros: x [1, 4, 12, 3], a 3×1 filter, stride 2.
      const inputs = {
        x: { data: values(createRng(1), 4 * 12 * 3), shape: [1, 4, 12, 3] },
        f: { data: values(createRng(2), 3 * 3 * 2), shape: [3, 1, 3, 2] },
        b: { data: new Float32Array(2), shape: [2] },
        db: { data: new Float32Array(6), shape: [6] },
      };
      const r = await compareWithCpu(inputs, forward([2, 2]), TOL);
      expect(r.relative).toBe(1); // all zeros
    } finally {
      registerWasmTrainingKernels();
    }
  });
});
