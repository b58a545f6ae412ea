import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { countMacs, countParams, maskWeakest, pruneChannels } from '@prune/core';
import { fileSystem } from '@prune/core/node';
import type { CriterionResult, ExportRecord, FineTuneRecord } from '@prune/report';
import type { RunConfig } from '../runConfigSchema.js';
import { evaluateSiamese } from '@prune/siamese';
import { trainSiameseParallel } from '@prune/siamese/node';
import type { SeedData } from '../buildSeedData.js';
import { deriveSeed } from '../deriveSeed.js';
import { writeViewerData } from '../writeViewerData.js';
import { checkAbort, EVAL_BATCH, type StageContext } from './stageContext.js';

export interface ExportInput {
  config: RunConfig;
  /** The unfinished run folder. */
  runDir: string;
  seed: number;
  /** The first seed (index 0) writes the pruned models and the viewer data; every seed fine-tunes. */
  seedIndex: number;
  model: LayersModel;
  layerPath: string;
  criteria: readonly CriterionResult[];
  data: SeedData;
  tag: string;
}

export interface ExportOutput {
  /** The trained model's folder in the run folder (`model`, `models/seed-<s>`). */
  modelPath: string;
  /** The pruned models written (first seed only). */
  exports: ExportRecord[];
  /** The criteria with their fine-tune records. */
  criteria: CriterionResult[];
  /** The viewer data index (first seed only), relative to the run folder. */
  viewerIndex: string | null;
}

/** Stage 6: the trained model, the physically pruned (and fine-tuned) models at each export K, and the viewer data. */
export async function exportStage(input: ExportInput, ctx: StageContext): Promise<ExportOutput> {
  const { config, runDir, seed, seedIndex, model, layerPath, data } = input;
  const exports: ExportRecord[] = [];
  const criteria: CriterionResult[] = [];
  for (const result of input.criteria) {
    const fineTuned: FineTuneRecord[] = [];
    for (const k of config.exportK) {
      checkAbort(ctx.signal);
      const pruned = await pruneChannels(model, maskWeakest(layerPath, result.order, k));
      try {
        const before = await evaluateSiamese(pruned, data.test, { batchSize: EVAL_BATCH });
        if (seedIndex === 0) exports.push(await exportModel(runDir, pruned, { k, criterion: result.criterion, seed, accuracy: before.accuracy, fineTuned: false }));
        if (config.fineTuneEpochs > 0) {
          const record = await fineTune(pruned, data, config, seed, k, result.criterion, before.accuracy, ctx, input.tag);
          fineTuned.push(record);
          if (seedIndex === 0) exports.push(await exportModel(runDir, pruned, { k, criterion: result.criterion, seed, accuracy: record.accuracyAfter, fineTuned: true }));
        }
      } finally {
        pruned.dispose();
      }
    }
    criteria.push({ ...result, fineTune: [...result.fineTune, ...fineTuned] });
  }
  const modelPath = seedIndex === 0 ? 'model' : `models/seed-${seed}`;
  await model.save(fileSystem(join(runDir, modelPath)));
  const viewerIndex =
    seedIndex === 0
      ? await writeViewerData(runDir, model, layerPath, data.test, input.criteria[0]?.order.length ?? 0, { modelPath: 'model/model.json', batchSize: EVAL_BATCH })
      : null;
  return { modelPath, exports, criteria, viewerIndex };
}

async function exportModel(runDir: string, model: LayersModel, record: Pick<ExportRecord, 'k' | 'criterion' | 'seed' | 'accuracy' | 'fineTuned'>): Promise<ExportRecord> {
  const path = `pruned/${record.criterion}-k${record.k}${record.fineTuned ? '-finetuned' : ''}`;
  await model.save(fileSystem(join(runDir, path)));
  return { ...record, path, params: countParams(model).total, macs: countMacs(model).macs };
}

async function fineTune(
  pruned: LayersModel,
  data: SeedData,
  config: RunConfig,
  seed: number,
  k: number,
  criterion: string,
  accuracyBefore: number,
  ctx: StageContext,
  tag: string,
): Promise<FineTuneRecord> {
  const batches = Math.ceil(data.train.count / config.batchSize) * config.fineTuneEpochs;
  const task = ctx.progress.task(`fine-tune ${criterion} K=${k}${tag}`, batches, 'batches');
  const t = performance.now();
  let done = 0;
  await trainSiameseParallel(pruned, data.train, {
    threads: config.threads ?? undefined,
    epochs: config.fineTuneEpochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    seed: deriveSeed(seed, `fine-tune-${criterion}-${k}`),
    signal: ctx.signal,
    onBatch: (b) => task.update(++done, `loss ${b.loss.toFixed(3)}`),
  });
  const after = await evaluateSiamese(pruned, data.test, { batchSize: EVAL_BATCH });
  task.stop(`test accuracy ${accuracyBefore.toFixed(4)} → ${after.accuracy.toFixed(4)}`);
  return { k, epochs: config.fineTuneEpochs, accuracyBefore, accuracyAfter: after.accuracy, lossAfter: after.loss, seconds: (performance.now() - t) / 1000 };
}
