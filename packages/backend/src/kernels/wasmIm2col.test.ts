import { backend_util, engine, getBackend, memory, setBackend, tensor, tidy } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { createRng, int, pick, values } from '../test-utils/oracle';
import { im2colTransposed, im2colTransposedInto } from './im2col';
import { memoryOf } from './wasmAssembler';
import { im2colRowOn } from './wasmIm2col';

describe('the WebAssembly patch-matrix rows', () => {
  it('equal the JS fill bit for bit over random shapes, strides, dilations and paddings', async () => {
    const previous = getBackend();
    await setBackend('wasm');
    try {
      expect(im2colRowOn(memoryOf(engine().backend as BackendWasm)!)).toBeTypeOf('function'); // the path under test
      const rng = createRng(31337);
      const before = memory().numTensors;
      const failures: string[] = [];
      for (let k = 0; k < 60; k++) {
        const x: [number, number, number, number] = [int(rng, 1, 3), int(rng, 1, 12), int(rng, 1, 12), pick(rng, [1, 2, 3, 8])];
        const f: [number, number, number, number] = [pick(rng, [1, 2, 3, 5]), pick(rng, [1, 2, 3]), x[3], 4];
        const dilated = k % 3 === 2;
        const strides: [number, number] = dilated ? [1, 1] : [pick(rng, [1, 2, 3]), pick(rng, [1, 2])];
        const dilations: [number, number] = dilated ? [pick(rng, [1, 2]), pick(rng, [1, 2, 3])] : [1, 1];
        const pad = pick(rng, ['same', [[0, 0], [int(rng, 0, 2), int(rng, 0, 2)], [int(rng, 0, 2), int(rng, 0, 2)], [0, 0]]] as const);
        let info: backend_util.Conv2DInfo;
        try {
          info = backend_util.computeConv2DInfo(x, f, strides, dilations, pad as 'same');
        } catch {
          continue; // the filter does not fit
        }
        if (info.outHeight <= 0 || info.outWidth <= 0) continue;
        const data = values(rng, x.reduce((a, b) => a * b, 1));
        const got = tidy(() => Float32Array.from(im2colTransposed(tensor(data, x), info).dataSync()));
        const want = new Float32Array(got.length).fill(Number.NaN);
        im2colTransposedInto(data, want, info);
        if (!got.every((v, i) => Object.is(v, want[i]))) failures.push(`x=[${x}] f=[${f}] s=${strides} d=${dilations} pad=${JSON.stringify(pad)}`);
      }
      expect(failures).toEqual([]);
      expect(memory().numTensors).toBe(before);
    } finally {
      await setBackend(previous);
    }
  });
});
