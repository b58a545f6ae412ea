import { pad, type Tensor4D } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../registerWasmTrainingKernels';
import { createRng, int, runOn, values } from '../test-utils/oracle';
import { padSpatial, type ExplicitPad } from './padOrCrop';

describe('padSpatial', () => {
  beforeAll(() => registerWasmTrainingKernels());

  it("equals tfjs's pad exactly on wasm (row copies on the heap) and on cpu (pad itself), leaking nothing", async () => {
    const rng = createRng(11);
    for (let i = 0; i < 24; i++) {
      const shape = [int(rng, 1, 3), int(rng, 1, 9), int(rng, 1, 9), int(rng, 1, 5)];
      const amounts: ExplicitPad = [[0, 0], [int(rng, 0, 3), int(rng, 0, 3)], [int(rng, 0, 3), int(rng, 0, 3)], [0, 0]];
      const value = i % 3 === 0 ? -0.5 : 0;
      const inputs = { x: { data: values(rng, shape.reduce((a, b) => a * b, 1)), shape } };
      for (const backend of ['wasm', 'cpu']) {
        const ours = await runOn(backend, inputs, (t) => padSpatial(t.x as Tensor4D, amounts, value));
        const theirs = await runOn(backend, inputs, (t) => pad(t.x!, amounts, value));
        expect(ours.outputs[0]!.shape).toEqual(theirs.outputs[0]!.shape);
        expect(ours.outputs[0]!.data).toEqual(theirs.outputs[0]!.data);
        expect(ours.leaked).toBe(0);
      }
    }
  });
});
