import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';
import { siameseFromArtifacts, siameseToArtifacts } from './modelArtifacts';
import { predictPairs } from './predictPairs';
import { syntheticPairs } from './test-utils/syntheticSplit';
import { trainSiamese } from './trainSiamese';

const pairs = syntheticPairs(60, 64, 31);
let model: LayersModel;

beforeAll(async () => {
  model = createSiameseModel({ seed: 8 });
  // A trained model, so that weights differ from a fresh model with the same seed.
  await trainSiamese(model, pairs, { epochs: 1, batchSize: 32, seed: 3 });
});
afterAll(() => model.dispose());

describe('siameseToArtifacts / siameseFromArtifacts (browser-friendly)', () => {
  it('round-trips to identical predictions through JSON and one ArrayBuffer', async () => {
    const artifacts = await siameseToArtifacts(model);
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    // What a browser would store or send: the topology as JSON text, the weights as bytes.
    const copy = { ...artifacts, modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)), weightData: (artifacts.weightData as ArrayBuffer).slice(0) };
    const before = tf.memory().numTensors;
    const loaded = await siameseFromArtifacts(copy);
    expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(loaded.getLayer('fusion').getClassName()).toBe('SiameseFusion');
    expect(loaded.getLayer('encoder').inboundNodes.length).toBe(3);
    expect(loaded.countParams()).toBe(218049);
    expect(Array.from(await predictPairs(loaded, pairs))).toEqual(Array.from(await predictPairs(model, pairs)));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no dropout seed from training in the saved topology', async () => {
    const artifacts = await siameseToArtifacts(model);
    const text = JSON.stringify(artifacts.modelTopology);
    const dropout = /"class_name":"Dropout","config":\{[^}]*\}/.exec(text)?.[0] ?? '';
    expect(dropout).toContain('"rate":0.2');
    expect(dropout).not.toMatch(/"seed":\d/);
  });
});
