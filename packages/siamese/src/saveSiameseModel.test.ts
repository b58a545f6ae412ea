import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiameseModel } from './createSiameseModel';
import { siameseFromArtifacts, siameseToArtifacts } from './modelArtifacts';
import { predictPairs } from './predictPairs';
import { loadSiameseModel, saveSiameseModel } from './saveSiameseModel';
import { syntheticPairs } from './test-utils/syntheticSplit';
import { trainSiamese } from './trainSiamese';

const pairs = syntheticPairs(60, 64, 31);
let model: LayersModel;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prune-siamese-'));
  model = createSiameseModel({ seed: 8 });
  // A trained model, so that weights differ from a fresh model with the same seed.
  await trainSiamese(model, pairs, { epochs: 1, batchSize: 32, seed: 3 });
});
afterAll(async () => {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

function expectSameStructure(loaded: LayersModel): void {
  expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  expect(loaded.getLayer('fusion').getClassName()).toBe('SiameseFusion');
  expect(loaded.getLayer('encoder').inboundNodes.length).toBe(3);
  expect(loaded.weights.length).toBe(12);
  expect(loaded.countParams()).toBe(218049);
}

describe('saveSiameseModel / loadSiameseModel (file system)', () => {
  it('round-trips to identical predictions, writing only model.json and weights.bin', async () => {
    const target = join(dir, 'model');
    await saveSiameseModel(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect((await readFile(join(target, 'weights.bin'))).byteLength).toBe(218049 * 4);

    const before = tf.memory().numTensors;
    const loaded = await loadSiameseModel(target);
    expectSameStructure(loaded);
    expect(Array.from(await predictPairs(loaded, pairs))).toEqual(Array.from(await predictPairs(model, pairs)));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('overwrites an earlier save in place', async () => {
    const target = join(dir, 'again');
    const other = createSiameseModel({ seed: 99 });
    await saveSiameseModel(other, target);
    other.dispose();
    await saveSiameseModel(model, target);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadSiameseModel(target);
    expect(Array.from(await predictPairs(loaded, pairs))).toEqual(Array.from(await predictPairs(model, pairs)));
    loaded.dispose();
  });

  it('names the file when a save is missing, corrupted or truncated', async () => {
    await expect(loadSiameseModel(join(dir, 'nothing'))).rejects.toThrow(/nothing\/model\.json: no such file/);
    const target = join(dir, 'broken');
    await saveSiameseModel(model, target);
    await truncate(join(target, 'weights.bin'), 1000);
    await expect(loadSiameseModel(target)).rejects.toThrow(/weights files hold 1000 bytes but .*model\.json describes 872196/);
    await writeFile(join(target, 'model.json'), '{"modelTopology": ');
    await expect(loadSiameseModel(target)).rejects.toThrow(/broken\/model\.json: not valid JSON/);
    await rm(join(target, 'weights.bin'));
    await saveSiameseModel(model, target);
    await rm(join(target, 'weights.bin'));
    await expect(loadSiameseModel(target)).rejects.toThrow(/broken\/weights\.bin \(listed in .*model\.json\): no such file/);
  });
});

describe('siameseToArtifacts / siameseFromArtifacts (browser-friendly)', () => {
  it('round-trips to identical predictions through JSON and one ArrayBuffer', async () => {
    const artifacts = await siameseToArtifacts(model);
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    // What a browser would store or send: the topology as JSON text, the weights as bytes.
    const copy = { ...artifacts, modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)), weightData: (artifacts.weightData as ArrayBuffer).slice(0) };
    const before = tf.memory().numTensors;
    const loaded = await siameseFromArtifacts(copy);
    expectSameStructure(loaded);
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
