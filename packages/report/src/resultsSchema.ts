import { z } from 'zod';

/** The version of the results schema written into every results.json; bumped on incompatible changes. */
export const RESULTS_SCHEMA_VERSION = 2;

const unit = z.number().min(0).max(1);
const count = z.int().nonnegative();
const finiteArray = z.array(z.number());
const seconds = z.number().nonnegative();

/** Test metrics of one model on a pair set. */
export const evaluationSchema = z.object({
  accuracy: unit,
  loss: z.number().nonnegative(),
  /** ROC-AUC; null when the pairs hold a single class. */
  auc: unit.nullable(),
  count: z.int().positive(),
});

/** One training epoch's figures. */
export const epochRecordSchema = z.object({
  epoch: z.int().positive(),
  loss: z.number(),
  accuracy: unit,
  seconds: seconds.optional(),
});

/** Streaming per-channel statistics of one layer's output (typed arrays stored as number lists). */
export const channelStatsSchema = z
  .object({
    layer: z.string(),
    channels: z.int().positive(),
    images: z.int().positive(),
    positions: z.int().positive(),
    mean: finiteArray,
    meanAbs: finiteArray,
    apoz: finiteArray,
    variance: finiteArray,
    std: finiteArray,
    min: finiteArray,
    max: finiteArray,
    /** Mean activation map per channel, flattened [C,H,W]. */
    meanMap: finiteArray,
    mapShape: z.tuple([z.int().positive(), z.int().positive(), z.int().positive()]),
  })
  .superRefine((s, ctx) => {
    for (const key of ['mean', 'meanAbs', 'apoz', 'variance', 'std', 'min', 'max'] as const) {
      if (s[key].length !== s.channels) {
        ctx.addIssue({ code: 'custom', path: [key], message: `has ${s[key].length} values, expected channels = ${s.channels}` });
      }
    }
    const [c, h, w] = s.mapShape;
    if (c !== s.channels) ctx.addIssue({ code: 'custom', path: ['mapShape', 0], message: `is ${c}, expected channels = ${s.channels}` });
    if (s.meanMap.length !== c * h * w) {
      ctx.addIssue({ code: 'custom', path: ['meanMap'], message: `has ${s.meanMap.length} values, expected ${c}*${h}*${w} = ${c * h * w}` });
    }
  });

/** Fine-tuning of the pruned model at one K. */
export const fineTuneRecordSchema = z.object({
  k: count,
  epochs: z.int().positive(),
  accuracyBefore: unit,
  accuracyAfter: unit,
  lossAfter: z.number().nonnegative(),
  seconds: seconds,
});

/** Which pairs a ranking was computed on: the test pairs (the reference) or held-out train pairs. */
export const rankedOnSchema = z.enum(['test', 'train']);

/** A confidence interval per K (a binomial interval over the evaluation pairs). */
export const intervalSchema = z.object({
  /** Confidence level, e.g. 0.95. */
  level: z.number().gt(0).lt(1),
  /** How the interval was computed, e.g. `wilson`. */
  method: z.string(),
  lower: z.array(unit),
  upper: z.array(unit),
});

/** One importance criterion on one seed: channel scores, prune order and the K sweep. */
export const criterionResultSchema = z.object({
  criterion: z.string(),
  /** The pairs the scores were computed on. */
  rankedOn: rankedOnSchema,
  /** `criterion`: asked for (its table is printed); `comparison`: added beside them by the report. */
  role: z.enum(['criterion', 'comparison']).default('criterion'),
  /** One score per channel; lower = less important. */
  scores: finiteArray,
  /** Channel indices in prune order (order[0] is pruned first). */
  order: z.array(count),
  /** Test pair accuracy with the first K channels of `order` pruned, for K = 0 … C-1. */
  accuracy: z.array(unit),
  /** A binomial confidence interval of each accuracy over the test pairs. */
  interval: intervalSchema,
  /** Test loss per K, when computed. */
  loss: finiteArray.optional(),
  fineTune: z.array(fineTuneRecordSchema).default([]),
});

/** The report's references for a seed's rankings: random orders, a greedy oracle, agreement with single-channel ablation. */
export const controlsSchema = z.object({
  /** Random prune orders (one per seed), each swept like a criterion: the band any criterion should beat. */
  random: z
    .object({
      seeds: z.array(count).min(1),
      orders: z.array(z.array(count)),
      /** Accuracy per K (K = 0 … C-1) of each random order. */
      accuracy: z.array(z.array(unit)),
    })
    .nullable(),
  /** Greedy removal on the test pairs (the channel whose removal hurts least, repeated): an upper reference for any ranking. */
  oracle: z
    .object({
      order: z.array(count),
      accuracy: z.array(unit),
      /** Masks evaluated by the search. */
      evaluations: count,
    })
    .nullable(),
  /** Spearman rank correlation of each criterion's scores with the single-channel ablation's. */
  rankCorrelation: z
    .object({
      reference: z.string(),
      values: z.array(z.object({ criterion: z.string(), rankedOn: rankedOnSchema, rho: z.number().min(-1).max(1).nullable() })),
    })
    .nullable(),
});

/** Everything measured on one seed: the trained model, the layer statistics and each criterion's sweep. */
export const seedRunSchema = z
  .object({
    seed: count,
    model: z.object({
      /** Path of the trained model, relative to the run folder. */
      path: z.string(),
      /** Hash of the data and training config: the model cache key. */
      cacheKey: z.string(),
      /** True when the model came from the cache instead of being trained. */
      reused: z.boolean(),
      parameters: count,
      history: z.array(epochRecordSchema),
    }),
    test: evaluationSchema,
    stats: channelStatsSchema,
    criteria: z.array(criterionResultSchema).min(1),
    controls: controlsSchema.nullable().default(null),
  })
  .superRefine((run, ctx) => {
    const c = run.stats.channels;
    run.criteria.forEach((cr, i) => {
      const at = (key: string): (string | number)[] => ['criteria', i, key];
      if (cr.scores.length !== c) ctx.addIssue({ code: 'custom', path: at('scores'), message: `has ${cr.scores.length} values, expected ${c}` });
      for (const [key, list] of [['accuracy', cr.accuracy], ['interval.lower', cr.interval.lower], ['interval.upper', cr.interval.upper]] as const) {
        if (list.length !== c) ctx.addIssue({ code: 'custom', path: at(key), message: `has ${list.length} values (K = 0 … ${c - 1} expected ${c})` });
      }
      checkPermutation(cr.order, c, at('order'), ctx);
    });
    const random = run.controls?.random;
    random?.orders.forEach((o, i) => checkPermutation(o, c, ['controls', 'random', 'orders', i], ctx));
    random?.accuracy.forEach((a, i) => {
      if (a.length !== c) ctx.addIssue({ code: 'custom', path: ['controls', 'random', 'accuracy', i], message: `has ${a.length} values, expected ${c}` });
    });
    const oracle = run.controls?.oracle;
    if (oracle) {
      checkPermutation(oracle.order, c, ['controls', 'oracle', 'order'], ctx);
      if (oracle.accuracy.length !== c) ctx.addIssue({ code: 'custom', path: ['controls', 'oracle', 'accuracy'], message: `has ${oracle.accuracy.length} values, expected ${c}` });
    }
  });

function checkPermutation(order: readonly number[], c: number, path: (string | number)[], ctx: z.RefinementCtx): void {
  const sorted = [...order].sort((a, b) => a - b);
  if (sorted.length !== c || sorted.some((v, j) => v !== j)) ctx.addIssue({ code: 'custom', path, message: `is not a permutation of 0 … ${c - 1}` });
}

/** Mean and standard deviation over seeds of one criterion's accuracy per K. */
export const criterionSummarySchema = z
  .object({
    criterion: z.string(),
    rankedOn: rankedOnSchema,
    role: z.enum(['criterion', 'comparison']),
    /** The curve's name in legends: the criterion, and where it was ranked when that is not the run's calibration. */
    label: z.string(),
    seeds: z.int().positive(),
    k: z.array(count),
    mean: z.array(unit),
    /** Sample standard deviation over seeds (0 with one seed). */
    std: z.array(z.number().nonnegative()),
  })
  .superRefine((s, ctx) => {
    for (const key of ['mean', 'std'] as const) {
      if (s[key].length !== s.k.length) ctx.addIssue({ code: 'custom', path: [key], message: `has ${s[key].length} values, expected ${s.k.length} (one per K)` });
    }
  });

/** Size and cost of the model with K channels physically removed. */
export const costRecordSchema = z.object({
  k: count,
  params: count,
  /** Multiply-accumulates of one forward pass of one pair. */
  macs: count,
  /** Median time of one forward pass of a batch of `latency.batch` pairs, in milliseconds; null when not measured. */
  latencyMs: z.number().nonnegative().nullable(),
});

/** A physically pruned model written to the run folder. */
export const exportRecordSchema = z.object({
  k: count,
  criterion: z.string(),
  seed: count,
  /** Path relative to the run folder. */
  path: z.string(),
  params: count,
  macs: count,
  accuracy: unit,
  fineTuned: z.boolean(),
});

/** Where the pairs used to rank channels came from. */
export const calibrationSchema = z.object({
  source: z.enum(['test', 'train']),
  images: count,
  pairs: count,
  /** True when the calibration images are disjoint from the evaluation images. */
  heldOut: z.boolean(),
  note: z.string(),
});

/** The lab's published accuracy points, shown beside a run made with the lab's configuration. */
export const referenceSchema = z.object({
  /** Legend entry, e.g. `lab report (PyTorch, one run)`. */
  label: z.string(),
  points: z.array(z.object({ k: count, accuracy: unit })),
});

/** How latency was timed. */
export const latencySettingsSchema = z.object({
  /** Pairs per timed forward pass. */
  batch: z.int().positive(),
  /** Timed passes per K (the median is reported). */
  runs: z.int().positive(),
});

/** Pointers to the files the viewer reads for in-browser what-if pruning, relative to the run folder. */
export const viewerDataSchema = z.object({
  /** JSON index describing the binary feature file and the tail model. */
  index: z.string(),
});

/** The results of one experiment run, as written to results.json. */
export const resultsSchema = z
  .object({
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
    runId: z.string().min(1),
    createdAt: z.iso.datetime({ offset: true }),
    /** The settings the run was made with, in its writer's own format (for the CLI: its config without local paths). */
    config: z.record(z.string(), z.unknown()),
    backend: z.object({ name: z.enum(['tensorflow', 'wasm', 'cpu']), reason: z.string() }),
    environment: z.object({ node: z.string(), platform: z.string(), tfjs: z.string() }).optional(),
    /** Wall time per phase in seconds (load, train, stats, sweep, costs, export, …, total). */
    timings: z.record(z.string(), seconds),
    dataset: z.object({
      source: z.string(),
      train: z.object({ images: count, pairs: count }),
      test: z.object({ images: count, pairs: count }),
    }),
    calibration: calibrationSchema,
    layer: z.object({ name: z.string(), channels: z.int().positive() }),
    seedRuns: z.array(seedRunSchema).min(1),
    summary: z.array(criterionSummarySchema).min(1),
    costs: z.array(costRecordSchema),
    latency: latencySettingsSchema.nullable().default(null),
    reference: referenceSchema.nullable().default(null),
    exports: z.array(exportRecordSchema),
    viewer: viewerDataSchema.nullable().default(null),
  })
  .superRefine((r, ctx) => {
    r.seedRuns.forEach((run, i) => {
      if (run.stats.channels !== r.layer.channels) {
        ctx.addIssue({ code: 'custom', path: ['seedRuns', i, 'stats', 'channels'], message: `is ${run.stats.channels}, but layer.channels is ${r.layer.channels}` });
      }
    });
  });

/** The parsed contents of a results.json. */
export interface Results extends z.output<typeof resultsSchema> {}
/** What a writer passes to build a results.json (defaults not yet applied). */
export interface ResultsInput extends z.input<typeof resultsSchema> {}
/** One seed's part of the results. */
export interface SeedRun extends z.output<typeof seedRunSchema> {}
/** One criterion's part of a seed run. */
export interface CriterionResult extends z.output<typeof criterionResultSchema> {}
/** A criterion's accuracy per K over seeds. */
export interface CriterionSummary extends z.output<typeof criterionSummarySchema> {}
/** Layer statistics as stored in results.json. */
export interface ChannelStatsRecord extends z.output<typeof channelStatsSchema> {}
/** Test metrics of one model. */
export interface EvaluationRecord extends z.output<typeof evaluationSchema> {}
/** Size and cost at one K. */
export interface CostRecord extends z.output<typeof costRecordSchema> {}
/** One exported pruned model. */
export interface ExportRecord extends z.output<typeof exportRecordSchema> {}
/** Fine-tuning at one K. */
export interface FineTuneRecord extends z.output<typeof fineTuneRecordSchema> {}
/** One epoch of training history. */
export interface EpochRecord extends z.output<typeof epochRecordSchema> {}
/** Random, oracle and rank-correlation references of one seed. */
export interface ControlsRecord extends z.output<typeof controlsSchema> {}
/** A confidence interval per K. */
export interface IntervalRecord extends z.output<typeof intervalSchema> {}
/** The lab's published points. */
export interface ReferenceRecord extends z.output<typeof referenceSchema> {}
/** The calibration split description. */
export interface CalibrationRecord extends z.output<typeof calibrationSchema> {}
