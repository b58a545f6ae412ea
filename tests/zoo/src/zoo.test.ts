import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ZOO, ZOO_NAMES } from './zoo';
import type { Widths } from './zooEntry';

/** Every width lowered by 1, 2 or 3 (by key position, so swapped keys show), at least 1. */
function narrower(widths: Widths): Widths {
  return Object.fromEntries(Object.entries(widths).map(([key, w], i) => [key, Math.max(1, w - 1 - (i % 3))]));
}

function weightValues(model: tfl.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

function predict(model: tfl.LayersModel, inputs: tf.Tensor[]): tf.Tensor {
  return model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
}

describe.each(ZOO_NAMES)('%s', (name) => {
  const entry = ZOO[name];

  it('has one width group per default width, each naming layers of the model', () => {
    expect(Object.keys(entry.widthGroups).sort()).toEqual(Object.keys(entry.defaultWidths()).sort());
    const model = entry.build();
    expect(entry.widthsOf(model)).toEqual(entry.defaultWidths());
    model.dispose();
  });

  it("counts the built model's params by its formula, at the default and at narrower widths", () => {
    const model = entry.build();
    expect(model.countParams()).toBe(entry.cost().params);
    model.dispose();
    const widths = narrower(entry.defaultWidths());
    const narrow = entry.build({ widths });
    expect(entry.widthsOf(narrow)).toEqual(widths);
    expect(narrow.countParams()).toBe(entry.cost(entry.widthsOf(narrow)).params);
    expect(narrow.countParams()).toBeLessThan(entry.cost().params);
    narrow.dispose();
  });

  it('runs a forward pass of a batch of 4 to finite outputs of the declared kind, and leaks no tensor', () => {
    const before = tf.memory().numTensors;
    const model = entry.build();
    const inputs = entry.randomInputs(4, 3);
    expect(inputs.map((x) => x.shape.slice(1))).toEqual(entry.inputShapes());
    const y = predict(model, inputs);
    expect(y.shape).toEqual([4, entry.outputUnits()]);
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    if (entry.loss === 'categorical') {
      const sums = tf.sum(y, 1);
      for (const row of sums.dataSync()) expect(row).toBeCloseTo(1, 4);
      sums.dispose();
    } else {
      expect(values.every((p) => p > 0 && p < 1)).toBe(true);
    }
    tf.dispose([...inputs, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds the same weights from the same seed, and others from another seed', () => {
    const [a, b, c] = [entry.build({ seed: 5 }), entry.build({ seed: 5 }), entry.build({ seed: 6 })];
    expect(weightValues(a)).toEqual(weightValues(b));
    expect(weightValues(a)).not.toEqual(weightValues(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuses an unknown width key and a non-positive width', () => {
    expect(() => entry.build({ widths: { no_such_layer: 3 } })).toThrow(/unknown width 'no_such_layer'/);
    const key = Object.keys(entry.defaultWidths())[0]!;
    expect(() => entry.cost({ [key]: 0 })).toThrow(/positive integer/);
  });
});
