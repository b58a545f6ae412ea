import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '@prune/activations';
import { createMaskEvaluator } from '@prune/core';
import type { ControlsRecord, CriterionResult } from '@prune/report';
import { compareCurves } from '../compareCurves.js';
import { computeControls } from '../computeControls.js';
import type { PairTensors } from '../pairTensors.js';
import type { RunConfig } from '../runConfigSchema.js';
import { checkAbort, type StageContext } from './stageContext.js';

export interface ControlsInput {
  config: RunConfig;
  model: LayersModel;
  layerPath: string;
  seed: number;
  /** The swept criteria (the asked ones). */
  criteria: readonly CriterionResult[];
  stats: ChannelStats;
  test: PairTensors;
  calibration: PairTensors;
  /** The pairs of the other ranking split; null when the run has none. */
  other: PairTensors | null;
  tag: string;
}

export interface ControlsOutput {
  comparisons: CriterionResult[];
  controls: ControlsRecord;
}

/**
 * Stage 5b: the report's comparison curves (--compare, and the first criterion ranked on the other split) and its
 * controls (random orders, greedy oracle, rank correlations), on one mask evaluator over the test pairs.
 */
export async function controlsStage(input: ControlsInput, { progress, signal }: StageContext): Promise<ControlsOutput> {
  const { config, model, layerPath, seed, test } = input;
  const started = performance.now();
  // Batches of 1000 pairs: an evaluation runs the tail once per batch, and its cost is mostly per-op overhead.
  const evaluator = await createMaskEvaluator(model, layerPath, { inputs: test.inputs, labels: test.labels }, { batchSize: 1000 });
  try {
    const other = input.other ? { pairs: input.other, rankedOn: config.calibration === 'test' ? ('train' as const) : ('test' as const) } : null;
    const comparisons = await compareCurves({ model, layer: layerPath, evaluator, compare: config.compare, asked: input.criteria, calibration: input.calibration, stats: input.stats, rankedOn: config.calibration, other, seed });
    checkAbort(signal);
    const curves = [...input.criteria, ...comparisons];
    const controls = await computeControls({ model, layer: layerPath, evaluator, labels: test.labels, curves, rankedOn: config.calibration, seed, randomOrders: config.randomOrders, oracle: config.oracle });
    const oracle = controls.oracle ? `, the greedy oracle (${controls.oracle.evaluations} masks)` : '';
    progress.log(`controls${input.tag}: ${comparisons.length} comparison curve(s), ${config.randomOrders} random orders${oracle} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { comparisons, controls };
  } finally {
    evaluator.dispose();
  }
}
