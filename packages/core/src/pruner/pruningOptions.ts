import type { LayersModel } from '@tensorflow/tfjs-layers';
import { criterionOption, type CriterionName } from '../criteria/criterionByName';
import type { ImportanceCriterion } from '../criteria/importance';
import type { EvalData } from '../evaluation/evalData';
import type { PruningPlan } from './planPruning';
import type { PruningReport } from './pruningReport';

/** Progress of a whole-model prune, reported as each phase of each step advances. */
export interface PruningProgress {
  phase: 'score' | 'rebuild' | 'fine-tune';
  /** The step (1-based) and the number of steps. */
  step: number;
  steps: number;
  /** Groups scored so far in this step, and in all (phase `score`). */
  done?: number;
  total?: number;
}

/** What the caller's fine-tune receives after each step's surgery. */
export interface FineTuneStep {
  step: number;
  steps: number;
  /** The step's plan and the counts before and after it. */
  plan: PruningPlan;
  report: PruningReport;
}

/** Options of {@link pruneModel} and {@link planPruning}. */
export interface PruningOptions {
  /** Fraction of channels to remove, in [0, 1): of each group (`strategy: 'uniform'`) or of all channels together (`'global'`). */
  ratio?: number;
  /**
   * `uniform` (default): every group loses `ratio` of its channels; `global`: one ranking of all channels of all
   * groups by normalised score, the weakest `ratio` of them removed, so groups lose different shares.
   */
  strategy?: 'uniform' | 'global';
  /** Per-layer ratios (a key may name any source of its group), instead of `ratio` for those groups. */
  ratios?: Readonly<Record<string, number>>;
  /** Layers (any source of a group) whose group is left alone. */
  exclude?: readonly string[];
  /** Kept channel counts are rounded up to a multiple of this (default 1), never pruning more than asked. */
  roundTo?: number;
  /** Channels every group keeps at least (default 1). */
  minChannels?: number;
  /** The importance criterion, or its name (default `l1-norm`, which needs no data). */
  criterion?: ImportanceCriterion | CriterionName;
  /** Examples for criteria that run the model (activations, Taylor, ablation). */
  data?: EvalData;
  /** Examples per forward pass when a criterion runs the model (default 500). */
  batchSize?: number;
  /** How scores are made comparable across groups for `global` (default `mean`: divided by the group's mean |score|). */
  normalize?: 'mean' | 'max' | 'none';
  /** Prune in this many equal steps (default 1), re-scoring the channels of the fine-tuned model each time. */
  steps?: number;
  /** Called after each step's surgery with the pruned model, e.g. to fine-tune it in place (compile and fit it). */
  fineTune?: (model: LayersModel, step: FineTuneStep) => void | Promise<void>;
  /** Called as each phase advances. */
  onProgress?: (progress: PruningProgress) => void;
}

/** Options with defaults filled in and every value checked. */
export interface CheckedOptions {
  ratio: number;
  strategy: 'uniform' | 'global';
  ratios: Readonly<Record<string, number>>;
  exclude: readonly string[];
  roundTo: number;
  minChannels: number;
  criterion: ImportanceCriterion;
  data: EvalData | undefined;
  batchSize: number | undefined;
  normalize: 'mean' | 'max' | 'none';
  steps: number;
  fineTune: PruningOptions['fineTune'];
  onProgress: PruningOptions['onProgress'];
}

function checkRatio(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new Error(`pruneModel: ${what} must be a number in [0, 1) (the fraction of channels removed), got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkCount(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`pruneModel: ${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks every option before any work, naming the option and saying what it takes. */
export function checkOptions(options: PruningOptions): CheckedOptions {
  const strategy = options.strategy ?? 'uniform';
  if (strategy !== 'uniform' && strategy !== 'global') {
    throw new Error(`pruneModel: options.strategy must be 'uniform' or 'global', got ${JSON.stringify(strategy)}`);
  }
  const ratios = options.ratios ?? {};
  for (const [layer, r] of Object.entries(ratios)) checkRatio(r, `options.ratios['${layer}']`);
  if (options.ratio === undefined && Object.keys(ratios).length === 0) {
    throw new Error(`pruneModel: give options.ratio (e.g. 0.3 to remove 30% of the channels) or options.ratios (per layer)`);
  }
  const normalize = options.normalize ?? 'mean';
  if (!['mean', 'max', 'none'].includes(normalize)) {
    throw new Error(`pruneModel: options.normalize must be 'mean', 'max' or 'none', got ${JSON.stringify(normalize)}`);
  }
  if (options.fineTune !== undefined && typeof options.fineTune !== 'function') throw new Error(`pruneModel: options.fineTune must be a function`);
  const criterion = criterionOption(options.criterion, 'pruneModel');
  if (criterion.requires.length > 0 && options.data === undefined) {
    throw new Error(`pruneModel: criterion '${criterion.name}' needs options.data (${criterion.requires.join(', ')}); give data or use a weights-only criterion such as 'l1-norm'`);
  }
  return {
    ratio: options.ratio === undefined ? 0 : checkRatio(options.ratio, 'options.ratio'),
    strategy,
    ratios,
    exclude: options.exclude ?? [],
    roundTo: checkCount(options.roundTo, 'options.roundTo', 1),
    minChannels: checkCount(options.minChannels, 'options.minChannels', 1),
    criterion,
    data: options.data,
    batchSize: options.batchSize,
    normalize,
    steps: checkCount(options.steps, 'options.steps', 1),
    fineTune: options.fineTune,
    onProgress: options.onProgress,
  };
}
