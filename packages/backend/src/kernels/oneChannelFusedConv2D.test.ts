import { backend_util, fused, getBackend, memory, setBackend, tensor, type Tensor, type Tensor1D, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, ComparisonTally, createRng, int, isValidWasm, pick, sizeOf, values, withWasmMemory, type Tolerance } from '../test-utils/oracle';
import { conv1ForwardModule, conv1ForwardOn, forwardBlockFor } from './simdConv2DOneChannel';

/** Set from the measured worst (printed below): the taps are summed in another order than the cpu's. */
const TOL: Tolerance = { rtol: 1e-6, atol: 1e-7 };
type Pad = 'same' | 'valid' | backend_util.ExplicitPadding;

describe('FusedConv2D with one input channel on wasm (an assembled SIMD function)', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('picks blocks of up to 8 (or 4) vectors that divide the channels, and none where they are not a multiple of 4', () => {
    expect([4, 16, 32, 48, 64, 36].map((co) => forwardBlockFor(co, 8))).toEqual([1, 4, 8, 6, 8, 3]);
    expect([4, 16, 32, 48, 64, 36].map((co) => forwardBlockFor(co, 4))).toEqual([1, 4, 4, 4, 4, 3]);
    expect(forwardBlockFor(6, 8)).toBeNull();
  });

  it('assembles into valid modules, shared-memory variants included, and binds to the wasm backend', async () => {
    for (const [c, cp] of [[1, 1], [3, 3], [4, 4], [8, 4], [6, 3]] as const) {
      for (const relu of [false, true]) {
        expect(isValidWasm(conv1ForwardModule(c, cp, relu, false))).toBe(true);
        expect(isValidWasm(conv1ForwardModule(c, cp, relu, true))).toBe(true);
      }
    }
    await withWasmMemory((memory) => {
      expect(conv1ForwardOn(memory, 4, 4, true)).toBeTypeOf('function'); // so the cases below take it
    });
  });

  it('matches the cpu backend over random shapes, strides, dilations, paddings and activations, leaking nothing', async () => {
    const rng = createRng(99);
    const tally = new ComparisonTally();
    const lab = [16, 32].flatMap((co) => (['same', 'valid'] as const).map((pad) => ({ x: [2, 28, 28, 1], k: [3, 3], co, strides: [1, 1], dilations: [1, 1], pad, activation: 'linear', bias: true })));
    const random = Array.from({ length: 64 }, () => {
      const x = [int(rng, 1, 3), int(rng, 1, 20), int(rng, 1, 20), 1];
      const k = [Math.min(x[1]!, pick(rng, [1, 2, 3, 5])), Math.min(x[2]!, pick(rng, [1, 2, 3, 5]))];
      const dilations = pick(rng, [[1, 1], [1, 1], [2, 1]]);
      const strides = dilations[0] === 1 ? [pick(rng, [1, 2, 3]), pick(rng, [1, 2])] : [1, 1]; // tfjs: not both
      const explicit: Pad = [[0, 0], [int(rng, 0, 2), int(rng, 0, 2)], [int(rng, 0, 2), int(rng, 0, 2)], [0, 0]];
      const pad = pick<Pad>(rng, ['same', 'valid', explicit]);
      return { x, k, co: pick(rng, [4, 8, 16, 32, 36, 64, 6]), strides, dilations, pad, activation: pick(rng, ['linear', 'relu', 'relu6']), bias: pick(rng, [true, false]) };
    });
    for (const c of [...lab, ...random]) {
      const x = c.x as [number, number, number, number], filterShape: [number, number, number, number] = [c.k[0]!, c.k[1]!, 1, c.co];
      const info = backend_util.computeConv2DInfo(x, filterShape, c.strides as [number, number], c.dilations as [number, number], c.pad);
      if ((info.dilationHeight - 1) * (info.filterHeight - 1) >= x[1] + 4 || info.outHeight <= 0 || info.outWidth <= 0) continue;
      const inputs = {
        x: { data: values(rng, sizeOf(x)), shape: x },
        filter: { data: values(rng, sizeOf(filterShape)), shape: filterShape },
        ...(c.bias ? { bias: { data: values(rng, c.co), shape: [c.co] } } : {}),
      };
      const r = await compareWithCpu(
        inputs,
        (t) => fused.conv2d({
          x: t.x as Tensor4D, filter: t.filter as Tensor4D, bias: t.bias as Tensor1D | undefined,
          strides: c.strides as [number, number], pad: c.pad, dilations: c.dilations as [number, number],
          activation: c.activation as 'linear' | 'relu' | 'relu6',
        }) as Tensor,
        TOL,
      );
      tally.add(`${JSON.stringify(c)}`, r);
    }
    console.log(`one-channel FusedConv2D: ${tally.summary()}`);
    expect(tally.failures).toEqual([]);
  });

  it("gives the stock XNNPACK kernel's results bit for bit at the lab's conv1 (same summation order), leaking nothing", async () => {
    const rng = createRng(5);
    const previous = getBackend();
    await setBackend('wasm');
    try {
      const before = memory().numTensors;
      for (const [co, pad, activation] of [[16, 'same', 'linear'], [32, 'valid', 'relu']] as const) {
        const x = tensor(values(rng, 8 * 28 * 28), [8, 28, 28, 1]) as Tensor4D;
        const filter = tensor(values(rng, 9 * co), [3, 3, 1, co]) as Tensor4D, bias = tensor(values(rng, co)) as Tensor1D;
        const run = () => {
          const y = fused.conv2d({ x, filter, bias, strides: 1, pad, activation });
          const data = y.dataSync().slice();
          y.dispose();
          return data;
        };
        restoreStockWasmKernels(['FusedConv2D']);
        const stock = run();
        registerWasmTrainingKernels(['FusedConv2D']);
        const ours = run();
        expect(ours.length).toBe(stock.length);
        expect(ours.filter((v, i) => !Object.is(v, stock[i])).length).toBe(0);
        for (const t of [x, filter, bias]) t.dispose();
      }
      expect(memory().numTensors).toBe(before);
    } finally {
      registerWasmTrainingKernels(['FusedConv2D']);
      await setBackend(previous);
    }
  });
});
