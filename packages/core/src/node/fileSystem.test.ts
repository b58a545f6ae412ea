import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { createSiameseModel, loadSiameseFrom } from '@prune/siamese';
import { ZOO } from '@prune/test-zoo';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneModel } from '../pruner/pruneModel';
import { fileSystem } from './fileSystem';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'prune-fs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function predictions(model: LayersModel, inputs: tf.Tensor[]): Promise<Float32Array> {
  const out = model.predict(inputs) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe('fileSystem (Node IOHandler for any layers model)', () => {
  it('round-trips a pruned ResNet (BatchNormalization, Add) to identical predictions, writing model.json + weights.bin', async () => {
    const model = ZOO.resnet.build({ seed: 3 });
    const { model: pruned } = await pruneModel(model, { ratio: 0.3 });
    const target = join(dir, 'resnet');
    await pruned.save(fileSystem(target));
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect((await readFile(join(target, 'weights.bin'))).byteLength).toBe(weightBytes(pruned));

    const before = tf.memory().numTensors;
    const loaded = await loadLayersModel(fileSystem(join(target, 'model.json')));
    const inputs = ZOO.resnet.randomInputs(4, 9);
    expect(Array.from(await predictions(loaded, inputs))).toEqual(Array.from(await predictions(pruned, inputs)));
    tf.dispose(inputs);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    pruned.dispose();
  });

  it('loads every shard a manifest lists, in order (the layout tfjs-converter writes)', async () => {
    const model = ZOO.vgg.build({ seed: 2 });
    const single = join(dir, 'vgg');
    await model.save(fileSystem(single));
    const json = JSON.parse(await readFile(join(single, 'model.json'), 'utf8'));
    const bytes = await readFile(join(single, 'weights.bin'));
    const sharded = join(dir, 'vgg-sharded');
    await mkdir(sharded);
    const cut = [0, 1000, 5000, bytes.byteLength];
    const paths = cut.slice(1).map((_, i) => `group1-shard${i + 1}of3.bin`);
    await Promise.all(paths.map((p, i) => writeFile(join(sharded, p), bytes.subarray(cut[i], cut[i + 1]))));
    json.weightsManifest[0].paths = paths;
    await writeFile(join(sharded, 'model.json'), JSON.stringify(json));
    const loaded = await loadLayersModel(fileSystem(sharded));
    const inputs = ZOO.vgg.randomInputs(2, 4);
    expect(Array.from(await predictions(loaded, inputs))).toEqual(Array.from(await predictions(model, inputs)));
    await rm(join(sharded, paths[1]!));
    await expect(loadLayersModel(fileSystem(sharded))).rejects.toThrow(/group1-shard2of3\.bin \(listed in .*vgg-sharded\/model\.json\): no such file/);
    tf.dispose(inputs);
    loaded.dispose();
    model.dispose();
  });

  it('saves and reloads the Siamese lab model (nested shared encoder) through loadSiameseFrom', async () => {
    const model = createSiameseModel({ seed: 8 });
    const target = join(dir, 'siamese');
    await model.save(fileSystem(target));
    const other = createSiameseModel({ seed: 99 });
    await other.save(fileSystem(target)); // overwrites in place
    other.dispose();
    await model.save(fileSystem(target));
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadSiameseFrom(fileSystem(target));
    expect(loaded.countParams()).toBe(218049);
    expect(loaded.getLayer('encoder').inboundNodes.length).toBe(3);
    const inputs = [tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 1), tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 2)];
    expect(Array.from(await predictions(loaded, inputs))).toEqual(Array.from(await predictions(model, inputs)));
    tf.dispose(inputs);
    loaded.dispose();
    model.dispose();
  });

  it('names the file when a save is missing, damaged or truncated, and refuses graph models with what to do', async () => {
    await expect(loadLayersModel(fileSystem(join(dir, 'nothing')))).rejects.toThrow(/nothing\/model\.json: no such file/);
    const model = ZOO.gapHead.build();
    const target = join(dir, 'broken');
    await model.save(fileSystem(target));
    const size = (await readFile(join(target, 'weights.bin'))).byteLength;
    await truncate(join(target, 'weights.bin'), 100);
    await expect(loadLayersModel(fileSystem(target))).rejects.toThrow(new RegExp(`weights files hold 100 bytes but .*model\\.json describes ${size}`));
    await rm(join(target, 'weights.bin'));
    await expect(loadLayersModel(fileSystem(target))).rejects.toThrow(/broken\/weights\.bin \(listed in .*model\.json\): no such file/);
    await writeFile(join(target, 'model.json'), '{"modelTopology": ');
    await expect(loadLayersModel(fileSystem(target))).rejects.toThrow(/broken\/model\.json: not valid JSON/);
    await writeFile(join(target, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    await expect(loadLayersModel(fileSystem(target))).rejects.toThrow(/graph model .*tfjs_layers_model/);
    expect(() => fileSystem('')).toThrow(/non-empty path/);
    model.dispose();
  });
});

function weightBytes(model: LayersModel): number {
  return model.weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1) * 4, 0);
}
