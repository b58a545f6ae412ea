import '@tensorflow/tfjs-backend-cpu';
import { getBackend, memory, mul, setBackend, tensor } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './selectBackend';
import { readInto } from './readInto';

const initial = getBackend();
afterAll(async () => {
  await setBackend(initial);
});

describe.each(['wasm', 'cpu'] as const)('readInto on %s', (backend) => {
  it('copies the values at the offset and leaves the rest of the target alone', async () => {
    await selectBackend(backend, { threads: 1 });
    const values = [1.5, -2, 3.25, 1e-30, -4e20, 0];
    const t = tensor(values, [2, 3]);
    // A tensor made by a kernel, so its values live in the backend (on wasm, in the heap), not in the array given.
    const doubled = mul(t, 2);
    const target = new Float32Array(9).fill(7);
    readInto(doubled, target, 2);
    expect(Array.from(target)).toEqual([7, 7, ...values.map((v) => Math.fround(v * 2)), 7]);
    t.dispose();
    doubled.dispose();
  });

  it('refuses a target without room and a non-float32 tensor, and leaks nothing', async () => {
    await selectBackend(backend, { threads: 1 });
    const before = memory().numTensors;
    const t = tensor([1, 2, 3]);
    expect(() => readInto(t, new Float32Array(4), 2)).toThrow('readInto: 3 values from offset 2 do not fit a target of 4');
    expect(() => readInto(t, new Float32Array(4), -1)).toThrow('from offset -1');
    const ints = tensor([1, 2], [2], 'int32');
    expect(() => readInto(ints, new Float32Array(2))).toThrow('readInto: the tensor is int32; only float32 tensors are read');
    t.dispose();
    ints.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
