import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { maskWeakest } from '../masks/channelMask';
import { pruneChannels } from '../surgery/pruneChannels';
import { randomInputs } from '../test-utils/testModels';
import { naiveSweep } from './naiveSweep';
import { sweepChannels } from './sweepChannels';

type ST = tfl.SymbolicTensor;
const g = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }), biasInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed + 50 }) });
const on = (layer: { apply(x: ST | ST[]): unknown }, x: ST | ST[]) => layer.apply(x) as ST;
const bn = (name: string) =>
  tfl.layers.batchNormalization({
    name,
    gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 7 }),
    betaInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 8 }),
    movingMeanInitializer: tfl.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: 9 }),
    movingVarianceInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 10 }),
  });

/** conv 'c' (4 channels) → `after` → flatten → dense softmax (3 classes). */
function afterConv(after: (x: ST) => ST): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 2] });
  const c = on(tfl.layers.conv2d({ name: 'c', filters: 4, kernelSize: 3, ...g(1) }), x);
  const out = on(tfl.layers.dense({ name: 'out', units: 3, activation: 'softmax', ...g(2) }), on(tfl.layers.flatten(), after(c)));
  return tfl.model({ inputs: x, outputs: out });
}

/** A residual Add of two convs, then relu, a conv consumer, global pooling and a softmax head. */
function afterAdd(): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 2] });
  const s = on(tfl.layers.conv2d({ name: 's', filters: 4, kernelSize: 3, padding: 'same', ...g(3) }), x);
  const a = on(tfl.layers.conv2d({ name: 'a', filters: 4, kernelSize: 3, padding: 'same', ...g(4) }), on(tfl.layers.reLU(), s));
  const y = on(tfl.layers.activation({ activation: 'relu' }), on(tfl.layers.add(), [s, on(bn('bn_a'), a)]));
  const k = on(tfl.layers.conv2d({ name: 'k', filters: 3, kernelSize: 3, ...g(5) }), y);
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', ...g(6) }), on(tfl.layers.globalAveragePooling2d({}), k)) });
}

/** Two convs concatenated on the channel axis, then BN, tanh and a conv consumer. */
function afterConcat(): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 2] });
  const p = on(tfl.layers.conv2d({ name: 'p', filters: 3, kernelSize: 1, ...g(7) }), x);
  const q = on(tfl.layers.conv2d({ name: 'q', filters: 5, kernelSize: 1, ...g(8) }), x);
  const y = on(tfl.layers.activation({ activation: 'tanh' }), on(bn('bn_cat'), on(tfl.layers.concatenate(), [p, q])));
  const k = on(tfl.layers.conv2d({ name: 'k', filters: 2, kernelSize: 3, ...g(9) }), y);
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 1, activation: 'sigmoid', ...g(10) }), on(tfl.layers.flatten(), k)) });
}

/** conv 'c' → depthwise (multiplier 1) → Add with conv 'o', then a squeeze-and-excite gate (MobileNetV3-style). */
function depthwiseAddSe(): tfl.LayersModel {
  const x = tfl.input({ shape: [6, 6, 2] });
  const c = on(tfl.layers.conv2d({ name: 'c', filters: 4, kernelSize: 1, ...g(13) }), x);
  const dw = on(tfl.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', depthwiseInitializer: tfl.initializers.glorotUniform({ seed: 14 }) }), c);
  const o = on(tfl.layers.conv2d({ name: 'o', filters: 4, kernelSize: 1, ...g(15) }), x);
  const y = on(tfl.layers.add(), [dw, o]);
  const squeeze = on(tfl.layers.reshape({ targetShape: [1, 1, 4] }), on(tfl.layers.globalAveragePooling2d({}), y));
  const gate = on(tfl.layers.conv2d({ name: 'excite', filters: 4, kernelSize: 1, activation: 'sigmoid', ...g(16) }), on(tfl.layers.conv2d({ name: 'squeeze', filters: 2, kernelSize: 1, activation: 'relu', ...g(17) }), squeeze));
  const k = on(tfl.layers.conv2d({ name: 'k', filters: 3, kernelSize: 3, ...g(18) }), on(tfl.layers.multiply(), [y, gate]));
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', ...g(19) }), on(tfl.layers.flatten(), k)) });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const CASES: Array<[string, () => tfl.LayersModel, string]> = [
  ['sigmoid', () => afterConv((c) => on(tfl.layers.activation({ activation: 'sigmoid' }), c)), 'c'],
  ['tanh', () => afterConv((c) => on(tfl.layers.activation({ activation: 'tanh' }), c)), 'c'],
  ['BatchNormalization', () => afterConv((c) => on(bn('bn'), c)), 'c'],
  ['Add (the coupled partner)', afterAdd, 'a'],
  ['Concatenate (second input)', afterConcat, 'q'],
  ['a depthwise conv, an Add and an SE gate (through the depthwise)', depthwiseAddSe, 'c'],
  ['a depthwise conv, an Add and an SE gate (the Add partner)', depthwiseAddSe, 'o'],
];

describe('the sweep predicts the pruned model whatever follows the layer', () => {
  it.each(CASES)('after %s: fast sweep = naive sweep = the pruned model at every K', async (_what, build, layer) => {
    const model = build();
    const x = randomInputs(9, [6, 6, 2], 3);
    const data = { inputs: x, labels: Array.from({ length: 9 }, (_, i) => i % 2) };
    const channels = model.getLayer(layer).getWeights()[1]!.shape[0]!;
    const order = Array.from({ length: channels }, (_, c) => (c * 3 + 1) % channels);
    const metric = { name: 'none', compute: () => 0 };
    const fast = await sweepChannels(model, layer, order, data, { keepPredictions: true, metric });
    const naive = await naiveSweep(model, layer, order, data, { keepPredictions: true, metric });
    for (const [i, { k }] of fast.points.entries()) {
      const pruned = await pruneChannels(model, maskWeakest(layer, order, k));
      const out = pruned.predict(x) as tf.Tensor;
      const expected = Float32Array.from(out.dataSync());
      expect(maxAbsDiff(fast.predictions![i]!, expected)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(naive.predictions![i]!, expected)).toBeLessThanOrEqual(1e-5);
      tf.dispose(out);
      pruned.dispose();
    }
    // A softmax output still sums to 1 at every K (a zeroed channel pushed through the softmax would not).
    if (fast.predictions![0]!.length === 27) {
      for (const p of fast.predictions!) for (let r = 0; r < 9; r++) expect(p[r * 3]! + p[r * 3 + 1]! + p[r * 3 + 2]!).toBeCloseTo(1, 5);
    }
    x.dispose();
    model.dispose();
  });

  it('refuses a softmax that mixes the channels, after the layer or fused into it', async () => {
    const x = randomInputs(4, [6, 6, 2], 3);
    const data = { inputs: x, labels: [0, 1, 2, 0] };
    const viaLayer = afterConv((c) => on(tfl.layers.softmax(), c));
    await expect(sweepChannels(viaLayer, 'c', [0, 1, 2, 3], data)).rejects.toThrow(/\(Softmax\), and softmax mixes channels/);
    const input = tfl.input({ shape: [5] });
    const hidden = on(tfl.layers.dense({ name: 'probs', units: 4, activation: 'softmax', ...g(11) }), input);
    const fused = tfl.model({ inputs: input, outputs: on(tfl.layers.dense({ units: 2, ...g(12) }), hidden) });
    const y = randomInputs(4, [5], 4);
    await expect(sweepChannels(fused, 'probs', [0, 1, 2, 3], { inputs: y, labels: [0, 1, 0, 1] })).rejects.toThrow(
      /Cannot prune the output channels of 'probs': its activation 'softmax' mixes channels/,
    );
    tf.dispose([x, y]);
    viaLayer.dispose();
    fused.dispose();
  });
});
