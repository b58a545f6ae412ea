import { engine, getBackend, mean, setBackend, sum, tensor, type Tensor } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../registerWasmTrainingKernels';
import { createRng, int, isValidWasm, pick, values } from '../test-utils/oracle';
import { columnSumsModule, columnSumsOn } from './simdColumnSums';
import { sumRowsInto } from './sum';
import { memoryOf } from './wasmAssembler';

describe('the WebAssembly SIMD column sums (Sum and Mean over leading axes)', () => {
  let previous = '';
  beforeAll(async () => {
    registerWasmTrainingKernels();
    previous = getBackend();
    await setBackend('wasm');
  });
  afterAll(async () => {
    await setBackend(previous);
  });

  it('assembles into a valid module, shared-memory variant included, and binds to the wasm backend', () => {
    expect(isValidWasm(columnSumsModule(false))).toBe(true);
    expect(isValidWasm(columnSumsModule(true))).toBe(true);
    expect(columnSumsOn(memoryOf(engine().backend as BackendWasm)!)).toBeTypeOf('function'); // so the cases below take it
  });

  it('gives the bits of the float64 JavaScript sums, for every column count in fours and both scales', () => {
    const rng = createRng(99);
    const failures: string[] = [];
    for (let i = 0; i < 40; i++) {
      const cols = 4 * int(rng, 1, 21), rows = int(rng, 1, 400);
      const scaleMagnitude = pick(rng, [1, 1e-3, 1e4]);
      const data = values(rng, rows * cols).map((v) => v * scaleMagnitude);
      const x = tensor(data, [rows, cols]);
      const before = engine().memory().numTensors;
      for (const [name, op, divisor] of [['Sum', sum, 1], ['Mean', mean, rows]] as const) {
        const expected = new Float32Array(cols);
        sumRowsInto(data, rows, cols, expected, 1 / divisor);
        const got = (op as (t: Tensor, axis: number) => Tensor)(x, 0);
        const actual = got.dataSync() as Float32Array;
        got.dispose();
        if (actual.some((v, c) => !Object.is(v, expected[c]))) failures.push(`${name} [${rows}, ${cols}]`);
      }
      x.dispose();
      expect(engine().memory().numTensors).toBe(before - 1);
    }
    expect(failures).toEqual([]);
  });
});
