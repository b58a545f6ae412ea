import * as tf from '@tensorflow/tfjs-core';
import { io } from '@tensorflow/tfjs-core';
import { input, layers, loadLayersModel, model, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
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

  it('saves a SeparableConv2D with depthMultiplier 2 (which tfjs-layers 4.22 leaves out of the config) so it reloads the same', async () => {
    const model = ZOO.xception.build({ seed: 5 });
    expect(model.getLayer('block2_sep1').getWeights()[0]!.shape).toEqual([3, 3, 16, 2]);
    const target = join(dir, 'xception');
    await model.save(fileSystem(target));
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    const configOf = (name: string) => json.modelTopology.config.layers.find((l: { name: string }) => l.name === name).config;
    expect(configOf('block2_sep1').depth_multiplier).toBe(2);
    expect(configOf('block1_sep1').depth_multiplier ?? 1).toBe(1);
    const loaded = await loadLayersModel(fileSystem(target));
    expect(loaded.getLayer('block2_sep1').getWeights()[0]!.shape).toEqual([3, 3, 16, 2]);
    const inputs = ZOO.xception.randomInputs(3, 6);
    expect(Array.from(await predictions(loaded, inputs))).toEqual(Array.from(await predictions(model, inputs)));
    tf.dispose(inputs);
    loaded.dispose();
    model.dispose();
  });

  it('loads a model.json that another writer saved without the depth multiplier, inside a nested model too', async () => {
    const x = input({ shape: [8, 8, 3], name: 'x' });
    const sep = layers.separableConv2d({ name: 'sep', filters: 4, kernelSize: 3, depthMultiplier: 3, padding: 'same' });
    const inner = model({ inputs: x, outputs: sep.apply(x) as SymbolicTensor, name: 'encoder' });
    const outerX = input({ shape: [8, 8, 3], name: 'image' });
    const outerSep = layers.separableConv2d({ name: 'head_sep', filters: 2, kernelSize: 3, depthMultiplier: 2, padding: 'same' });
    const features = outerSep.apply(inner.apply(outerX) as SymbolicTensor) as SymbolicTensor;
    const out = layers.globalAveragePooling2d({ name: 'gap' }).apply(features);
    const net = model({ inputs: outerX, outputs: out as SymbolicTensor, name: 'nested' });
    const target = join(dir, 'nested-sep');
    // As tfjs writes it (file:// of tfjs-node, browserDownloads): the config has no depth_multiplier.
    await net.save(io.withSaveHandler(async (artifacts) => {
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'weights.bin'), new Uint8Array(io.CompositeArrayBuffer.join(artifacts.weightData)));
      const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
      await writeFile(join(target, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: manifest }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const written = await readFile(join(target, 'model.json'), 'utf8');
    expect(written).not.toContain('depth_multiplier');
    const loaded = await loadLayersModel(fileSystem(target));
    expect(loaded.weights.filter((w) => w.name.includes('depthwise')).map((w) => w.shape)).toEqual([[3, 3, 3, 3], [3, 3, 4, 2]]);
    const images = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 7);
    expect(Array.from(await predictions(loaded, [images]))).toEqual(Array.from(await predictions(net, [images])));
    tf.dispose(images);
    loaded.dispose();
    net.dispose();
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
