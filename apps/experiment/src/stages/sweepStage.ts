import type { LayersModel } from '@tensorflow/tfjs-layers';
import { sweepChannels } from '@prune/core';
import type { CriterionResult } from '@prune/report';
import { evaluatePredictions } from '@prune/siamese';
import type { Progress } from '@prune/cli/process';
import type { PairTensors } from '../pairTensors.js';
import { wilson95 } from '../compareCurves.js';
import type { Ranking } from './rankStage.js';
import { checkAbort, EVAL_BATCH, type StageContext } from './stageContext.js';

export interface SweepInput {
  model: LayersModel;
  layerPath: string;
  rankings: readonly Ranking[];
  test: PairTensors;
  /** The pairs the rankings were computed on. */
  rankedOn: 'test' | 'train';
  tag: string;
}

/** Stage 5: test pair accuracy (and loss) for K = 0 … C-1 channels removed in each ranking's order. */
export async function sweepStage({ model, layerPath, rankings, test, rankedOn, tag }: SweepInput, { progress, signal }: StageContext): Promise<CriterionResult[]> {
  const results: CriterionResult[] = [];
  for (const { criterion, scores, order } of rankings) {
    let task: ReturnType<Progress['task']> | null = null;
    const sweep = await sweepChannels(model, layerPath, order, { inputs: test.inputs, labels: test.labels }, {
      batchSize: EVAL_BATCH,
      keepPredictions: true,
      onProgress: (p) => {
        task ??= progress.task(`sweep ${criterion}${tag}`, p.steps, 'steps');
        task.update(p.step, `K=${p.k}`);
      },
    });
    (task as ReturnType<Progress['task']> | null)?.stop(`${sweep.points.length} K values, ${sweep.path} path`);
    const predictions = [sweep.baselinePredictions, ...(sweep.predictions ?? [])];
    const accuracy = [sweep.baseline, ...sweep.points.map((p) => p.metric)];
    const loss = predictions.every((p) => p !== undefined) ? predictions.map((p) => evaluatePredictions(p as Float32Array, test.labels).loss) : undefined;
    results.push({ criterion, rankedOn, role: 'criterion', scores, order, accuracy, interval: wilson95(accuracy, test.count), ...(loss ? { loss } : {}), fineTune: [] });
    checkAbort(signal);
  }
  return results;
}
