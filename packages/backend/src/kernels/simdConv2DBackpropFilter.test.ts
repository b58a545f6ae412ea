import { backend_util, engine, type Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../registerWasmTrainingKernels';
import { compareWithCpu, ComparisonTally, createRng, int, isValidWasm, pick, sizeOf, values, withWasmMemory, type Tolerance } from '../test-utils/oracle';
import { blockFor, conv2DFilterGradModule, conv2DFilterGradOn } from './simdConv2DBackpropFilter';

/** As the other conv gradient tests (registerWasmTrainingKernels.test.ts): set from the measured worst. */
const TOL: Tolerance = { rtol: 5e-6, atol: 5e-7 };

describe('the WebAssembly SIMD Conv2DBackpropFilter', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it('picks blocks that divide the channels, and none where the output channels are not a multiple of 4', () => {
    expect(blockFor(1, 16)).toEqual({ r: 1, v: 4, taps: false });
    expect(blockFor(16, 32, 3)).toEqual({ r: 4, v: 2, taps: false });
    expect(blockFor(6, 12, 3)).toEqual({ r: 2, v: 3, taps: false });
    expect(blockFor(3, 4, 3)).toEqual({ r: 1, v: 1, taps: false });
    expect(blockFor(16, 30, 3)).toBeNull();
    // One input channel: the column taps are the rows, three (or two) at a time.
    expect(blockFor(1, 16, 3)).toEqual({ r: 3, v: 2, taps: true });
    expect(blockFor(1, 12, 2)).toEqual({ r: 2, v: 3, taps: true });
    expect(blockFor(1, 16, 5)).toEqual({ r: 1, v: 4, taps: false });
  });

  it('assembles into valid modules for every block, shared-memory variants included, and binds to the wasm backend', async () => {
    for (const [r, v, taps] of [[1, 1, false], [1, 4, false], [2, 3, false], [2, 4, false], [4, 1, false], [4, 2, false], [3, 2, true], [2, 4, true]] as const) {
      expect(isValidWasm(conv2DFilterGradModule({ r, v, taps }, false))).toBe(true);
      expect(isValidWasm(conv2DFilterGradModule({ r, v, taps }, true))).toBe(true);
    }
    await withWasmMemory((memory) => {
      expect(conv2DFilterGradOn(memory, { r: 4, v: 2, taps: false })).toBeTypeOf('function'); // so the cases below take it
      expect(conv2DFilterGradOn(memory, { r: 3, v: 2, taps: true })).toBeTypeOf('function');
    });
  });

  it('matches the cpu backend for every block size, stride and padding', async () => {
    const rng = createRng(4242);
    const tally = new ComparisonTally();
    for (let i = 0; i < 64; i++) {
      const ci = pick(rng, [1, 1, 1, 2, 3, 4, 6, 8, 16]), co = pick(rng, [4, 8, 12, 16, 32]);
      const x: [number, number, number, number] = [int(rng, 1, 3), int(rng, 1, 15), int(rng, 1, 15), ci];
      const kh = Math.min(x[1], pick(rng, [1, 2, 3, 5])), kw = Math.min(x[2], pick(rng, [1, 2, 3, 4, 5, 6]));
      const strides: [number, number] = [pick(rng, [1, 2, 3]), pick(rng, [1, 2])];
      const pad = pick(rng, ['same', 'valid', [[0, 0], [int(rng, 0, 2), int(rng, 0, 2)], [int(rng, 0, 2), int(rng, 0, 2)], [0, 0]]] as const);
      const filterShape: [number, number, number, number] = [kh, kw, ci, co];
      const dyShape = backend_util.computeConv2DInfo(x, filterShape, strides, 1, pad as backend_util.ExplicitPadding | 'same' | 'valid').outShape;
      const attrs = { strides, pad, dataFormat: 'NHWC' as const, filterShape };
      const r = await compareWithCpu(
        { x: { data: values(rng, sizeOf(x)), shape: x }, dy: { data: values(rng, sizeOf(dyShape)), shape: dyShape } },
        (t) => engine().runKernel('Conv2DBackpropFilter', { x: t.x!, dy: t.dy! }, attrs) as Tensor,
        TOL,
      );
      tally.add(`x=[${x}] f=[${filterShape}] s=${strides} pad=${JSON.stringify(pad)}`, r);
    }
    console.log(`SIMD Conv2DBackpropFilter: ${tally.summary()}`);
    expect(tally.failures).toEqual([]);
  });
});
