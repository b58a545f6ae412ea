import * as tf from '@tensorflow/tfjs-core';
import { input, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { registerSiameseFusion, SiameseFusion } from './siameseFusion';

describe('SiameseFusion', () => {
  it('is not registered at import time, and registers idempotently', () => {
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map['SiameseFusion']).toBeUndefined();
    registerSiameseFusion();
    registerSiameseFusion();
    expect(map['SiameseFusion']?.[0]).toBe(SiameseFusion);
  });

  it('computes concat(|z1 − z2|, z1 ⊙ z2) on a hand-computed example', () => {
    const fusion = new SiameseFusion({ name: 'f' });
    const z1 = tf.tensor2d([[1, -2], [0.5, 4]]);
    const z2 = tf.tensor2d([[3, 1], [-0.5, 4]]);
    const out = fusion.apply([z1, z2]) as tf.Tensor;
    expect(out.shape).toEqual([2, 4]);
    expect(Array.from(out.dataSync())).toEqual([2, 3, 3, -2, 1, 0, -0.25, 16]);
    tf.dispose([z1, z2, out]);
  });

  it('infers its output shape and rejects mismatched inputs', () => {
    const a = input({ shape: [64] });
    const b = input({ shape: [64] });
    const c = input({ shape: [32] });
    expect((new SiameseFusion().apply([a, b]) as SymbolicTensor).shape).toEqual([null, 128]);
    expect(() => new SiameseFusion({ name: 'bad' }).apply([a, c])).toThrow(/SiameseFusion 'bad'.*differ/);
    expect(() => new SiameseFusion({ name: 'one' }).apply(a)).toThrow(/SiameseFusion 'one'/);
  });
});
