import { backend_util, conv2d, fused, memory, randomNormal, tidy, type Tensor, type Tensor1D, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../registerWasmTrainingKernels';
import { selectBackend } from '../selectBackend';
import { createRng, int, pick } from '../test-utils/oracle';

const bits = (t: Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

type Pad = 'same' | 'valid' | backend_util.ExplicitPadding;
interface Case { x: [number, number, number, number]; k: [number, number]; c: number; pad: Pad; strides: number; bias: boolean; activation: 'linear' | 'relu' }

describe('Conv2D and FusedConv2D on the SIMD correlation (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm', { threads: 1 });
  });

  it("are bit-identical to XNNPACK's conv over random shapes, paddings and activations, and leak nothing", () => {
    const rng = createRng(29);
    // The lab's conv2 at 64 and 128 images first; then random cases, some outside what the correlation takes
    // (stride 2, 2 or 160 input channels, 6 output channels), which must reach the stock kernel unchanged.
    const cases: Case[] = [
      { x: [128, 14, 14, 16], k: [3, 3], c: 32, pad: 'same', strides: 1, bias: true, activation: 'linear' },
      { x: [64, 14, 14, 16], k: [3, 3], c: 32, pad: 'same', strides: 1, bias: true, activation: 'linear' },
    ];
    for (let i = 0; i < 40; i++) {
      const x: Case['x'] = [int(rng, 1, 4), int(rng, 3, 16), int(rng, 3, 16), pick(rng, [4, 8, 12, 16, 32, 64, 2, 160])];
      const k: [number, number] = [Math.min(x[1]!, pick(rng, [1, 2, 3, 5])), Math.min(x[2]!, pick(rng, [1, 3]))];
      const explicit: Pad = [[0, 0], [int(rng, 0, 2), int(rng, 0, 2)], [int(rng, 0, 2), int(rng, 0, 2)], [0, 0]];
      const pad = pick<Pad>(rng, ['same', 'valid', explicit]);
      cases.push({ x, k, c: pick(rng, [4, 8, 16, 32, 6]), pad, strides: i % 8 === 7 ? 2 : 1, bias: i % 3 !== 0, activation: pick(rng, ['linear', 'relu'] as const) });
    }
    const mismatches: string[] = [];
    const before = memory().numTensors;
    for (const c of cases) {
      const x = randomNormal(c.x) as Tensor4D;
      const filter = randomNormal([...c.k, c.x[3]!, c.c]) as Tensor4D;
      const bias = randomNormal([c.c]) as Tensor1D;
      const run = () =>
        tidy(() => {
          const y = c.bias || c.activation === 'relu'
            ? fused.conv2d({ x, filter, strides: c.strides, pad: c.pad, ...(c.bias ? { bias } : {}), activation: c.activation })
            : conv2d(x, filter, c.strides, c.pad);
          return bits(y);
        });
      const ours = run();
      restoreStockWasmKernels(['Conv2D', 'FusedConv2D']);
      const stock = run();
      registerWasmTrainingKernels();
      if (ours.length !== stock.length || ours.some((v, j) => v !== stock[j])) mismatches.push(JSON.stringify(c));
      x.dispose();
      filter.dispose();
      bias.dispose();
    }
    expect(mismatches).toEqual([]);
    expect(memory().numTensors).toBe(before);
  });
});
