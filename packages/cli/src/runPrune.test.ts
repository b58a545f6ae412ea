import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import pngjs from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ZOO, ZOO_NAMES } from '@prune/test-zoo';
import { countParams, evaluateModel, modelArtifacts, quantizeArtifacts } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import { loadData } from './data/loadData';
import { parseArgs } from './parseArgs';
import { createProgress } from './process/createProgress';
import { runPrune } from './runPrune';
import type { RunReport } from './runReport';

const work = mkdtempSync(join(tmpdir(), 'prune-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the command in this process (same code path as the bin after parsing), collecting what it prints. */
async function run(argv: string[]): Promise<{ report: RunReport; printed: string[]; progress: string[] }> {
  const printed: string[] = [];
  const progress: string[] = [];
  // The cpu backend unless a test asks for another: tensors made before the run forbid restarting wasm with more threads.
  const backend = argv.includes('--backend') ? [] : ['--backend', 'cpu'];
  const report = await runPrune(parseArgs([...argv, ...backend, '--latency-runs', '3']), {
    print: (line) => printed.push(line),
    progress: createProgress('lines', { write: (s: string) => progress.push(s) }, 0),
  });
  return { report, printed, progress };
}

async function saved(name: string, model: tfl.LayersModel): Promise<string> {
  const dir = join(work, name);
  // As Keras writes it: with SeparableConv2D's depth multiplier, which tfjs-layers' own save leaves out.
  await fileSystem(dir).save!(await modelArtifacts(model));
  return dir;
}

/** Three classes of 32×32 PNGs (stripes and a seeded noise channel) in one subfolder each. */
function imageFolder(dir: string): string {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const c of ['ant', 'bee', 'cow']) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let n = 0; n < 5; n++) {
      const png = new pngjs.PNG({ width: 32, height: 32 });
      for (let i = 0; i < 32 * 32; i++) png.data.set([((i % 32) * (c.length + n)) % 256, (rand() * 255) | 0, c.charCodeAt(0), 255], i * 4);
      writeFileSync(join(dir, c, `${n}.png`), pngjs.PNG.sync.write(png));
    }
  }
  return dir;
}

describe.each(ZOO_NAMES)('prune on the zoo: %s', (name) => {
  it('30% uniform by l1-norm: the written model loads, with the architecture’s own hand count of params and MACs', async () => {
    const entry = ZOO[name];
    const model = entry.build({ seed: 2 });
    const dir = await saved(`zoo-${name}`, model);
    const out = join(work, `zoo-${name}-out`);
    const tensors = tf.memory().numTensors;
    const { report, printed, progress } = await run([dir, '--ratio', '0.3', '-o', out, '--backend', 'cpu']);
    expect(tf.memory().numTensors).toBe(tensors);
    const loaded = await tfl.loadLayersModel(fileSystem(out));
    const cost = entry.cost(entry.widthsOf(loaded));
    expect(report.totals.params).toEqual({ before: entry.cost(entry.widthsOf(model)).params, after: cost.params });
    expect(report.totals.macs).toEqual({ before: entry.cost(entry.widthsOf(model)).macs, after: cost.macs });
    expect(countParams(loaded).total).toBe(cost.params);
    expect(report.groups.length).toBeGreaterThan(0);
    expect(report.groups.some((g) => g.channels.after < g.channels.before)).toBe(true);
    expect(report.latency.medianMs.before).toBeGreaterThan(0);
    expect(report.latency.backend).toBe('cpu');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(report.size.after).toBe(statSync(join(out, 'model.json')).size + statSync(join(out, 'weights.bin')).size);
    expect(printed.find((l) => l.startsWith('params'))).toContain(`${cost.params.toLocaleString('en-US')}`);
    expect(progress.some((l) => l.includes('scoring channels (l1-norm)'))).toBe(true);
    model.dispose();
    loaded.dispose();
  });
});

describe('prune with data', () => {
  it('images, a params target, mean-activation, fine-tuning and uint8 weights: accuracy at each stage, files any loader reads', async () => {
    const entry = ZOO.mobilenetV2;
    const model = entry.build({ seed: 4 });
    const dir = await saved('mnv2', model);
    const images = imageFolder(join(work, 'images'));
    const out = join(work, 'mnv2-out');
    const { report, printed } = await run([dir, '-t', 'params=60%', '-c', 'mean-activation', '-d', images, '--mean', '0.5', '--std', '0.25', '--fine-tune-epochs', '2', '--learning-rate', '0.001', '-q', 'uint8', '-o', out, '--backend', 'wasm']);
    const before = entry.cost(entry.widthsOf(model)).params;
    expect(report.target!.kind).toBe('params');
    expect(report.target!.value).toBe(Math.floor(before * 0.6));
    expect(report.totals.params.after).toBeLessThanOrEqual(before * 0.6);
    expect(report.criterion).toBe('mean-activation');
    expect(report.data).toEqual({ source: images, examples: 15, labelled: true, classes: ['ant', 'bee', 'cow'] });
    expect(report.fineTune!.losses).toHaveLength(2);
    // Accuracy before, from the original files, and after quantization, from the files written: both recomputed here.
    const data = await loadData(model, { data: images, preprocess: { scale: 1 / 255, mean: [0.5], std: [0.25] } });
    expect(report.accuracy!.before).toBe(evaluateModel(model, data));
    const written = await tfl.loadLayersModel(fileSystem(out));
    expect(report.accuracy!.quantized).toBe(evaluateModel(written, data));
    expect(report.accuracy!.fineTuned).toBeTypeOf('number');
    // Every float weight stored as uint8 in the manifest: one byte per parameter.
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    expect(new Set(specs.map((w) => w.quantization?.dtype))).toEqual(new Set(['uint8']));
    expect(statSync(join(out, 'weights.bin')).size).toBe(countParams(written).total);
    expect(report.quantization).toEqual({ dtype: 'uint8', weights: specs.length, weightBytes: { before: 4 * countParams(written).total, after: countParams(written).total } });
    expect(printed.find((l) => l.startsWith('accuracy'))).toMatch(/^accuracy before 0\.\d{4}, pruned 0\.\d{4}, fine-tuned 0\.\d{4}, uint8 0\.\d{4} \(15 examples of /);
    tf.dispose(data.inputs);
    model.dispose();
    written.dispose();
  });
});

describe('a model as tfjs-converter writes it', () => {
  it('uint8-quantized weights in several shards of two manifest groups, Keras metadata: loaded, pruned, sized from every shard', async () => {
    const entry = ZOO.densenet;
    const model = entry.build({ seed: 6 });
    const { artifacts } = quantizeArtifacts(await modelArtifacts(model), 'uint8');
    const dir = join(work, 'converted');
    mkdirSync(dir);
    const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
    // Shards cut at arbitrary bytes (a weight may span two), as the converter's --weight_shard_size_bytes does.
    const cuts = [0, 1000, 2501, data.length];
    const names = cuts.slice(1).map((_, i) => `group1-shard${i + 1}of3.bin`);
    names.forEach((n, i) => writeFileSync(join(dir, n), data.subarray(cuts[i], cuts[i + 1])));
    const specs = artifacts.weightSpecs!;
    const half = Math.floor(specs.length / 2);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: names.slice(0, 2), weights: specs.slice(0, half) }, { paths: names.slice(2), weights: specs.slice(half) }],
    }));
    const { report } = await run([dir, '-r', '0.3', '-o', join(work, 'converted-out'), '--backend', 'cpu']);
    expect(report.size.before).toBe(statSync(join(dir, 'model.json')).size + data.length);
    expect(report.totals.params.before).toBe(entry.cost(entry.widthsOf(model)).params);
    const loaded = await tfl.loadLayersModel(fileSystem(join(work, 'converted-out')));
    expect(report.totals.params.after).toBe(entry.cost(entry.widthsOf(loaded)).params);
    model.dispose();
    loaded.dispose();
  });
});

describe('errors that say what to do', () => {
  it('a missing shard, a graph model, inputs of the wrong shape — before any output is written', async () => {
    const model = ZOO.vgg.build({ seed: 1 });
    const dir = await saved('vgg', model);
    const broken = join(work, 'vgg-broken');
    cpSync(dir, broken, { recursive: true });
    rmSync(join(broken, 'weights.bin'));
    await expect(run([broken, '-r', '0.3', '-o', join(work, 'x1')])).rejects.toThrow(/weights.bin \(listed in .*vgg-broken\/model.json\): no such file/);
    const graph = join(work, 'graph');
    mkdirSync(graph);
    writeFileSync(join(graph, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    await expect(run([graph, '-r', '0.3', '-o', join(work, 'x2')])).rejects.toThrow(/tfjs graph model .* which has no layers to prune; convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model/);
    writeFileSync(join(work, 'wrong.json'), JSON.stringify({ inputs: [[1, 2, 3]], labels: [0] }));
    await expect(run([dir, '-r', '0.3', '-d', join(work, 'wrong.json'), '-o', join(work, 'x3')])).rejects.toThrow(/wrong.json: each example has shape \[3\], but the model's input takes \[\d+, \d+, \d+\]; reshape the data to/);
    for (const x of ['x1', 'x2', 'x3']) expect(existsSync(join(work, x))).toBe(false);
    model.dispose();
  });

  it('a layer prune does not know: its group is left alone and reported, and naming it says how to leave it alone', async () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    let x = tfl.layers.conv2d({ name: 'conv_a', filters: 6, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.permute({ name: 'swap', dims: [2, 1, 3] }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ name: 'conv_b', filters: 8, kernelSize: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const y = tfl.layers.dense({ name: 'out', units: 2, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
    const dir = await saved('permute', tfl.model({ inputs: input, outputs: y }));
    const { report, printed } = await run([dir, '-r', '0.5', '-o', join(work, 'permute-out')]);
    expect(report.groups.map((g) => [g.group, g.channels])).toEqual([['conv_b', { before: 8, after: 4 }]]);
    const refused = report.refused.find((r) => r.layer === 'conv_a')!;
    expect(refused.className).toBe('Conv2D');
    expect(refused.reason).toMatch(/they reach layer 'swap' \(Permute\)/);
    expect(printed).toContain(`left alone: conv_a (Conv2D): ${refused.reason}`);
    await expect(run([dir, '-r', '0.5', '--layer-ratios', 'conv_a=0.5', '-o', join(work, 'permute-2')])).rejects.toThrow(
      /^--layer-ratios names 'conv_a', whose channels cannot be pruned: .*'swap' \(Permute\).*; remove 'conv_a' from --layer-ratios: groups that cannot be pruned are left alone without it$/,
    );
  });
});
