import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { selectBackend } from '@prune/backend';
import {
  channelGroups,
  countMacs,
  countParams,
  criterionByName,
  evaluateModel,
  measureLatency,
  modelArtifacts,
  pruneModel,
  pruneToTarget,
  quantizeArtifacts,
  releaseSharedLayers,
  type PruneModelResult,
  type PruningOptions,
  type PruningTarget,
  type TargetResult,
} from '@prune/core';
import { fileSystem, MODEL_JSON } from '@prune/core/node';
import { loadData, type LoadedData } from './data/loadData';
import { fineTune } from './fineTune';
import type { PruneConfig } from './parseArgs';
import { createProgress, type Progress } from './progress';
import { reportLines, type RunReport } from './runReport';

const REPORT_JSON = 'report.json';

/**
 * Loads a tfjs layers model from files (a folder with `model.json` and its weight shards, Keras-converted ones
 * included) as the command does: tfjs's message for a layer class it does not know becomes one that says what to
 * do, and a shared layer's weights are freed with the model. A tfjs backend must be set first.
 *
 * @param path - the model's folder, or its `model.json`.
 * @returns The model.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-cpu';
 * import { loadModel } from '@prune/cli/node';
 *
 * const mobilenet = await loadModel('./mobilenet/model.json');
 * console.log(mobilenet.countParams()); // 3538984 for MobileNetV2 1.0 at 224×224
 * ```
 */
export async function loadModel(path: string): Promise<LayersModel> {
  try {
    const model = await loadLayersModel(fileSystem(path));
    releaseSharedLayers(model); // so that dispose() frees a shared encoder's weights too
    return model;
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown layer: (\w+)/.exec(message);
    if (unknown) {
      throw new Error(
        `${path}: layer class '${unknown[1]}' is not a tfjs-layers layer, so the model cannot be loaded; a custom Keras layer needs a tfjs ` +
          `implementation registered with tf.serialization.registerClass, which this command cannot do — prune it from code instead`,
      );
    }
    throw error;
  }
}

/** Bytes of model.json and every weight file its manifest lists. */
async function sizeOnDisk(path: string): Promise<number> {
  const dir = path.endsWith(MODEL_JSON) ? dirname(path) : path;
  const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const files = [MODEL_JSON, ...json.weightsManifest.flatMap((g) => g.paths)];
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** A batch of one seeded example per model input, for latency; sizes the model leaves open come from the data. */
function latencyInputs(model: LayersModel, data: LoadedData | undefined): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = input.shape.slice(1);
    const example = shape.some((d) => d == null) ? data?.inputs.shape.slice(1) : shape;
    if (example === undefined) {
      throw new Error(`model input '${input.name}' has shape [${shape.map((d) => d ?? '?').join(', ')}] with unknown sizes: give --data (images with --size) so latency is measured on real sizes`);
    }
    return tf.randomNormal([1, ...(example as number[])], 0, 1, 'float32', i + 1);
  });
}

function targetOf(config: PruneConfig, before: { params: number; macs: number }, inputs: tf.Tensor | tf.Tensor[]): PruningTarget {
  const t = config.target!;
  if (t.kind === 'latencyMs') return { latencyMs: t.ms, inputs, latency: { runs: config.latencyRuns, warmup: 2 } };
  const value = 'fraction' in t ? Math.floor(before[t.kind] * t.fraction) : t.count;
  return t.kind === 'params' ? { params: value } : { macs: value };
}

/** Bytes of activations one batch may hold (the wasm backend's heap is bounded). */
const ACTIVATION_BUDGET = 256 * 2 ** 20;

/**
 * A batch size no larger than the one asked for, lowered so that `copies` of every layer's output for one batch fit
 * the activation budget: a data criterion keeps every group source's output until the batch is reduced, and
 * training keeps every layer's for the backward pass (a 224×224 MobileNetV2 at batch 8 ran wasm out of memory).
 */
function fittingBatchSize(model: LayersModel, requested: number, copies: number): number {
  const elements = channelGroups(model).graph.shapes.reduce<number>((n, shape) => n + shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1), 0);
  return Math.max(1, Math.min(requested, Math.floor(ACTIVATION_BUDGET / (4 * copies * Math.max(1, elements)))));
}

/** @prune/core's messages name its options; the command's user knows the flags. */
function flagMessage(message: string): string {
  const named = /^pruneModel: options\.(ratios|exclude) names '([^']+)', whose channels cannot be pruned/.exec(message);
  const flag = (option: string) => (option === 'ratios' ? '--layer-ratios' : '--exclude');
  const text = message
    .replace(/pruneModel: options\.ratios/g, '--layer-ratios')
    .replace(/pruneModel: options\.exclude/g, '--exclude')
    .replace(/pruneToTarget: options\.target/g, '--target')
    .replace(/^pruneToTarget: /, '');
  // A group that cannot be pruned is left alone anyway: the fix is to stop naming it.
  return named ? `${text}; remove '${named[2]}' from ${flag(named[1]!)}: groups that cannot be pruned are left alone without it` : text;
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, file);
}

/** What {@link runPrune} reports as it goes, and where it prints the summary. */
export interface RunOptions {
  /** Where progress goes (default: stderr, as `config.progress` says). */
  progress?: Progress;
  /** Prints one line of the final report (default: to stdout). */
  print?: (line: string) => void;
}

/**
 * The whole `prune` command from code: choose the backend, load the model (and data), measure it, prune it (by
 * ratio or to a target), fine-tune, quantize, measure again, write the model and `report.json` to `config.out`,
 * and print the report. Every input is checked before the long work starts; an error says what to do.
 *
 * @param config - what to do, as `parseArgs` (from `@prune/cli`) returns it.
 * @param options - where progress goes (`progress`, default stderr as `config.progress` says) and how the
 *   report's lines are printed (`print`, default stdout).
 * @returns The report, as written to `report.json`.
 *
 * @example
 * ```ts
 * import { parseArgs } from '@prune/cli';
 * import { runPrune } from '@prune/cli/node';
 *
 * const config = parseArgs(['./mobilenet', '--ratio', '0.3', '-o', './mobilenet-pruned']);
 * const report = await runPrune(config, { print: () => {} });
 * console.log(report.totals.params); // MobileNetV2 1.0: { before: 3538984, after: 2034984 }
 * ```
 */
export async function runPrune(config: PruneConfig, options: RunOptions = {}): Promise<RunReport> {
  const started = performance.now();
  const progress = options.progress ?? createProgress(config.progress);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const backend = await selectBackend(config.backend, config.threads !== undefined ? { threads: config.threads } : {});
  progress.done(`backend: ${backend.backend} (${backend.reason})`);

  progress.update(`loading ${config.model}`);
  const model = await loadModel(config.model);
  const sizeBefore = await sizeOnDisk(config.model);
  const inputShapes = model.inputs.map((i) => i.shape.slice(1));
  const outputUnits = model.outputs[0]!.shape[model.outputs[0]!.shape.length - 1] ?? 1;
  progress.done(`loaded ${config.model}: '${model.name}', ${model.layers.length} layers, input ${inputShapes.map((s) => `[${s.map((d) => d ?? '?').join(', ')}]`).join(' and ')}`);

  let data: LoadedData | undefined;
  const held: tf.Tensor[] = [];
  let failed = false;
  try {
    if (config.data !== undefined) {
      progress.update(`reading ${config.data}`);
      data = await loadData(model, { data: config.data, ...(config.labels ? { labels: config.labels } : {}), ...(config.limit ? { limit: config.limit } : {}), preprocess: config.preprocess }, (done, total) =>
        progress.update(`reading ${config.data}: image ${done}/${total}`),
      );
      held.push(data.inputs);
      progress.done(`data: ${data.count} examples of ${data.source}${data.labels ? ', labelled' : ''}${data.classes ? ` (${data.classes.length} classes)` : ''}`);
    }
    const labelled = data?.labels !== undefined ? data : undefined;
    if (config.fineTuneEpochs > 0 && labelled === undefined) throw new Error(`--fine-tune-epochs needs labels: an image folder, a .json file with "labels", or --labels for a .npy file`);
    const inputs = latencyInputs(model, data);
    held.push(...inputs);
    const x = inputs.length === 1 ? inputs[0]! : inputs;
    const latencyOptions = { runs: config.latencyRuns, warmup: 2 };

    const scoringBatch = fittingBatchSize(model, config.batchSize, 1);
    if (data && scoringBatch < config.batchSize) progress.done(`scoring and evaluating in batches of ${scoringBatch} (not ${config.batchSize}): the activations of one batch stay within ${ACTIVATION_BUDGET / 2 ** 20} MiB`);
    progress.update('measuring the model');
    const before = { params: countParams(model).total, macs: countMacs(model).macs };
    const latencyBefore = await measureLatency(model, x, latencyOptions);
    const accuracyBefore = labelled ? evaluateModel(model, labelled, { batchSize: scoringBatch }) : undefined;
    progress.done(`before: ${before.params.toLocaleString('en-US')} params, ${before.macs.toLocaleString('en-US')} MACs, ${latencyBefore.medianMs.toFixed(2)} ms${accuracyBefore !== undefined ? `, accuracy ${accuracyBefore.toFixed(4)}` : ''}`);

    const pruning: PruningOptions = {
      criterion: criterionByName(config.criterion, { seed: config.seed }),
      strategy: config.strategy,
      exclude: config.exclude,
      minChannels: config.minChannels,
      roundTo: config.roundTo,
      batchSize: scoringBatch,
      ...(data ? { data } : {}),
      onProgress: (p) => progress.update(p.phase === 'score' ? `scoring channels (${config.criterion}): group ${p.done}/${p.total}` : `${p.phase}…`),
    };
    let result: PruneModelResult | TargetResult;
    try {
      if (config.target !== undefined) {
        const target = targetOf(config, before, x);
        result = await pruneToTarget(model, { ...pruning, target, onTry: (a) => progress.update(`searching the ratio: ${a.ratio.toFixed(4)} gives ${Number(a.value.toFixed(2)).toLocaleString('en-US')}`) });
      } else {
        result = await pruneModel(model, { ...pruning, ratio: config.ratio ?? 0, ratios: config.layerRatios });
      }
    } catch (error) {
      const message = (error as Error).message;
      if (flagMessage(message) === message) throw error;
      throw new Error(flagMessage(message), { cause: error });
    }
    const pruned = result.model;
    const plan = result.steps[0]!.plan;
    progress.done(`pruned ${plan.groups.filter((g) => g.pruned.length > 0).length} of ${plan.groups.length} groups (${plan.refused.length} left alone as they cannot be pruned, ${plan.excluded.length} excluded)`);
    try {
      const accuracyPruned = labelled ? evaluateModel(pruned, labelled, { batchSize: scoringBatch }) : undefined;
      let losses: number[] | undefined;
      let trainingBatch: number | undefined;
      let accuracyTuned: number | undefined;
      if (config.fineTuneEpochs > 0 && labelled) {
        trainingBatch = fittingBatchSize(pruned, config.batchSize, 2);
        if (trainingBatch < config.batchSize) progress.done(`fine-tuning in batches of ${trainingBatch} (not ${config.batchSize}): training keeps the activations of one batch within ${ACTIVATION_BUDGET / 2 ** 20} MiB`);
        losses = await fineTune(pruned, labelled, {
          epochs: config.fineTuneEpochs,
          learningRate: config.learningRate,
          batchSize: trainingBatch,
          onEpoch: (e, loss) => progress.update(`fine-tuning: epoch ${e}/${config.fineTuneEpochs}, loss ${loss.toFixed(4)}`),
        });
        accuracyTuned = evaluateModel(pruned, labelled, { batchSize: scoringBatch });
        progress.done(`fine-tuned ${config.fineTuneEpochs} epoch(s): loss ${losses.map((l) => l.toFixed(4)).join(' → ')}, accuracy ${accuracyTuned.toFixed(4)}`);
      }

      progress.update('measuring the pruned model');
      const latencyAfter = await measureLatency(pruned, x, latencyOptions);
      let artifacts = await modelArtifacts(pruned);
      let quantization: RunReport['quantization'];
      let accuracyQuantized: number | undefined;
      if (config.quantize !== undefined) {
        const q = quantizeArtifacts(artifacts, config.quantize);
        artifacts = q.artifacts;
        quantization = { dtype: q.dtype, weights: q.quantized, weightBytes: q.bytes };
        if (labelled) {
          // Measured on the model as any tfjs loader reads the quantized weights back.
          const reloaded = await loadLayersModel(tf.io.fromMemory(q.artifacts));
          releaseSharedLayers(reloaded);
          accuracyQuantized = evaluateModel(reloaded, labelled, { batchSize: scoringBatch });
          reloaded.dispose();
        }
        progress.done(`quantized ${q.quantized} weights to ${q.dtype}: ${q.bytes.before.toLocaleString('en-US')} → ${q.bytes.after.toLocaleString('en-US')} bytes`);
      }

      progress.update(`writing ${config.out}`);
      await fileSystem(config.out).save!(artifacts);
      const sizeAfter = await sizeOnDisk(config.out);
      const report: RunReport = {
        version: 1,
        model: { path: config.model, name: model.name, inputShapes, outputUnits },
        out: config.out,
        backend: { name: backend.backend, reason: backend.reason },
        criterion: plan.criterion,
        strategy: config.strategy,
        ratio: 'ratio' in result ? result.ratio : (config.ratio ?? 0),
        layerRatios: config.layerRatios,
        ...('kind' in result ? { target: { kind: result.kind, value: result.target, achieved: result.achieved, attempts: result.attempts } } : {}),
        groups: result.report.groups,
        excluded: plan.excluded,
        refused: plan.refused,
        totals: result.report.totals,
        latency: { backend: backend.backend, batch: 1, runs: config.latencyRuns, medianMs: { before: latencyBefore.medianMs, after: latencyAfter.medianMs }, before: latencyBefore, after: latencyAfter },
        ...(data ? { data: { source: data.source, examples: data.count, labelled: data.labels !== undefined, ...(data.classes ? { classes: data.classes } : {}) } } : {}),
        ...(accuracyBefore !== undefined
          ? { accuracy: { before: accuracyBefore, pruned: accuracyPruned!, ...(accuracyTuned !== undefined ? { fineTuned: accuracyTuned } : {}), ...(accuracyQuantized !== undefined ? { quantized: accuracyQuantized } : {}) } }
          : {}),
        ...(losses ? { fineTune: { epochs: config.fineTuneEpochs, learningRate: config.learningRate, batchSize: trainingBatch!, losses } } : {}),
        batchSize: scoringBatch,
        ...(quantization ? { quantization } : {}),
        size: { before: sizeBefore, after: sizeAfter },
        files: [MODEL_JSON, ...JSON.parse(await readFile(join(config.out, MODEL_JSON), 'utf8')).weightsManifest.flatMap((g: { paths: string[] }) => g.paths), REPORT_JSON],
        seconds: (performance.now() - started) / 1000,
      };
      await writeJsonAtomic(join(config.out, REPORT_JSON), report);
      progress.done(`wrote ${config.out}: ${report.files.join(', ')}`);
      progress.close();
      for (const line of reportLines(report)) print(line);
      return report;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      try {
        pruned.dispose();
      } catch (error) {
        if (!failed) throw error;
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // After a failure inside a backend (e.g. wasm out of memory) freeing can fail too: keep the first error.
    try {
      tf.dispose(held);
      model.dispose();
    } catch (error) {
      if (!failed) throw error;
    }
  }
}
