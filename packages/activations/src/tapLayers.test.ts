import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { tapLayers, withTaps } from './tapLayers';
import { randomImages, tinySiamese } from './test-utils/tinySiamese';

/** The encoder's conv2 output computed directly: the oracle a tap must reproduce. */
function conv2Direct(model: tfl.LayersModel, images: tf.Tensor): tf.Tensor {
  const encoder = model.getLayer('encoder') as tfl.LayersModel;
  const probe = tfl.model({ inputs: encoder.inputs, outputs: encoder.getLayer('conv2').output as tfl.SymbolicTensor });
  return probe.predict(images) as tf.Tensor;
}

describe('tapLayers', () => {
  const model = tinySiamese();
  const left = randomImages(5, 8, 11);
  const right = randomImages(5, 8, 12);

  for (const [name, run] of [
    ['predict', () => model.predict([left, right], { batchSize: 5 }) as tf.Tensor],
    ['apply', () => model.apply([left, right]) as tf.Tensor],
    ['predictOnBatch', () => model.predictOnBatch([left, right]) as tf.Tensor],
  ] as const) {
    it(`sees both applications of the shared encoder's conv2 during ${name}, values intact`, () => {
      const seen: Array<{ path: string; application: number; values: Float32Array; shape: number[] }> = [];
      const restore = tapLayers(model, ['conv2'], (path, output, application) => {
        seen.push({ path, application, values: output.dataSync() as Float32Array, shape: output.shape });
      });
      try {
        run().dispose();
      } finally {
        restore();
      }
      expect(seen.map((s) => [s.path, s.application])).toEqual([
        ['conv2', 0],
        ['conv2', 1],
      ]);
      const expectedLeft = conv2Direct(model, left);
      const expectedRight = conv2Direct(model, right);
      expect(seen[0]!.shape).toEqual([5, 4, 4, 8]);
      // tfjs's executor decides which branch runs first (it happens to be the right one); both must be seen.
      const key = (v: ArrayLike<number>) => Array.from(v).join(',');
      expect(new Set(seen.map((s) => key(s.values)))).toEqual(
        new Set([key(expectedLeft.dataSync()), key(expectedRight.dataSync())]),
      );
      tf.dispose([expectedLeft, expectedRight]);
    });
  }

  it('restores the prototype call, leaves no tensor behind, and is idempotent', () => {
    const conv2 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv2');
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(false);
    const before = tf.memory().numTensors;
    let calls = 0;
    const restore = tapLayers(model, ['encoder/conv2', 'relu1'], () => {
      calls++;
    });
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(true);
    tf.dispose(model.predict([left, right]) as tf.Tensor);
    restore();
    restore();
    expect(calls).toBe(4);
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(false);
    tf.dispose(model.predict([left, right]) as tf.Tensor);
    expect(calls).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('supports overlapping taps removed in any order', () => {
    const a: number[] = [];
    const b: number[] = [];
    const restoreA = tapLayers(model, ['conv2'], (_p, _o, i) => void a.push(i));
    const restoreB = tapLayers(model, ['conv2'], (_p, _o, i) => void b.push(i));
    tf.dispose(model.predict([left, right]) as tf.Tensor);
    restoreA();
    tf.dispose(model.predict([left, right]) as tf.Tensor);
    restoreB();
    tf.dispose(model.predict([left, right]) as tf.Tensor);
    expect(a).toEqual([0, 1]);
    expect(b).toEqual([0, 1, 2, 3]);
  });

  it('withTaps restores when the callback throws mid-pass', async () => {
    const conv2 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv2');
    const before = tf.memory().numTensors;
    await expect(
      withTaps(model, ['conv2'], () => {
        throw new Error('boom');
      }, () => model.predict([left, right])),
    ).rejects.toThrow('boom');
    expect(Object.prototype.hasOwnProperty.call(conv2, 'call')).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lets the callback replace the output (a custom-gradient identity captures dL/d(output))', () => {
    gradientCapture();
  });

  function gradientCapture(): void {
    const model = tinySiamese({ seed: 3 });
    const x = randomImages(3, 8, 21);
    const y = randomImages(3, 8, 22);
    const grads: tf.Tensor[] = [];
    const outputs: tf.Tensor[] = [];
    const restore = tapLayers(model, ['conv2'], (_path, output, application) => {
      outputs[application] = tf.keep(output.clone());
      const identity = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const t = args[0] as tf.Tensor;
        return {
          value: t.clone(),
          gradFunc: (dy: tf.Tensor) => {
            grads[application] = tf.keep(dy.clone());
            return dy;
          },
        };
      });
      return identity(output);
    });
    let loss: tf.Scalar;
    let varGrads: tf.NamedTensorMap;
    try {
      ({ value: loss, grads: varGrads } = tf.variableGrads(() => tf.sum(model.apply([x, y]) as tf.Tensor) as tf.Scalar));
    } finally {
      restore();
    }
    expect(grads.filter(Boolean)).toHaveLength(2);
    expect(grads[0]!.shape).toEqual([3, 4, 4, 8]);
    // Oracle: the gradient of the same loss with respect to conv2's output, by splitting the network there.
    const direct = conv2Direct(model, x);
    const leftApp = Array.from(direct.dataSync()).join() === Array.from(outputs[0]!.dataSync()).join() ? 0 : 1;
    const encoder = model.getLayer('encoder') as tfl.LayersModel;
    const after = ['relu2', 'flatten', 'embedding'].map((n) => encoder.getLayer(n));
    const tail = (c: tf.Tensor) => after.reduce((h, l) => l.apply(h) as tf.Tensor, c);
    const [gl, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(model.getLayer('head_out').apply(model.getLayer('merge').apply([tail(a), tail(b)])) as tf.Tensor),
    )([outputs[leftApp]!, outputs[1 - leftApp]!]);
    const close = (g: tf.Tensor, w: tf.Tensor) => {
      const gv = g.dataSync();
      const wv = w.dataSync();
      return gv.length === wv.length && gv.every((v, i) => Math.abs(v - wv[i]!) <= 1e-5);
    };
    expect(close(grads[leftApp]!, gl!)).toBe(true);
    expect(close(grads[1 - leftApp]!, gr!)).toBe(true);
    expect(close(gl!, gr!)).toBe(false); // the two branches get different gradients, so the pairing is tested
    tf.dispose([loss, ...Object.values(varGrads), ...grads, ...outputs, gl!, gr!, direct, x, y]);
  }

  it('sees every application during model.fit (training path), and training still works', async () => {
    const trainable = tinySiamese({ seed: 5 });
    trainable.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    const l = randomImages(8, 8, 31);
    const r = randomImages(8, 8, 32);
    const y = tf.tensor2d([1, 0, 1, 0, 1, 0, 1, 0], [8, 1]);
    const shapes: number[][] = [];
    const before = trainable.getWeights().map((w) => w.dataSync().slice());
    const restore = tapLayers(trainable, ['conv2'], (_p, output) => void shapes.push(output.shape));
    try {
      await trainable.fit([l, r], y, { batchSize: 4, epochs: 1, shuffle: false, verbose: 0 });
    } finally {
      restore();
    }
    expect(shapes).toEqual([[4, 4, 4, 8], [4, 4, 4, 8], [4, 4, 4, 8], [4, 4, 4, 8]]); // 2 batches × 2 branches
    const changed = trainable.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i]![j]));
    expect(changed).toBe(true);
    tf.dispose([l, r, y]);
    trainable.dispose();
  });

  it('sees conv2 during model.execute on a model without a shared nested model', () => {
    const x = tfl.input({ shape: [6, 6, 1] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'c', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) });
    const y = tfl.layers.flatten().apply(conv.apply(x)) as tfl.SymbolicTensor;
    const plain = tfl.model({ inputs: x, outputs: y });
    const images = randomImages(2, 6, 5);
    let seen: number[] = [];
    const restore = tapLayers(plain, ['c'], (_p, output) => void (seen = Array.from(output.dataSync())));
    try {
      tf.dispose(plain.execute(images, plain.outputs[0]!.name));
    } finally {
      restore();
    }
    const expected = conv.apply(images) as tf.Tensor;
    expect(seen).toEqual(Array.from(expected.dataSync()));
    tf.dispose([expected, images]);
  });

  it('rejects unknown names and input layers before wrapping anything', () => {
    const conv1 = (model.getLayer('encoder') as tfl.LayersModel).getLayer('conv1');
    expect(() => tapLayers(model, ['conv1', 'nope'], () => {})).toThrow(/no layer 'nope'.*\n[\s\S]*encoder\/conv1/);
    expect(Object.prototype.hasOwnProperty.call(conv1, 'call')).toBe(false);
    expect(() => tapLayers(model, ['left'], () => {})).toThrow(/'left' is an InputLayer/);
  });
});
