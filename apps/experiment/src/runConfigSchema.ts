import { z } from 'zod';

/** The seed of the reference experiment's defaults. */
export const DEFAULT_SEED = 42;

const fraction = z.number().gt(0, 'must be > 0').lte(1, 'must be <= 1');
const positiveInt = z.int().positive();

/**
 * The configuration of one experiment run: its defaults are the reference experiment's (10%/10% subsets,
 * 10000/2000 pairs, batch 64, 10 epochs, Adam 1e-3, conv2 ranked by mean activation on the test pairs).
 */
export const runConfigSchema = z
  .object({
    /** Folder of MNIST IDX files (raw or .gz); null reads the embedded copy. */
    data: z.string().min(1).nullable().default(null),
    trainFraction: fraction.default(0.1),
    testFraction: fraction.default(0.1),
    trainPairs: positiveInt.default(10000),
    testPairs: positiveInt.default(2000),
    batchSize: positiveInt.default(64),
    epochs: z.int().nonnegative().default(10),
    learningRate: z.number().positive().default(1e-3),
    seed: z.int().nonnegative().default(DEFAULT_SEED),
    /** Seeds of repeated runs (data, init, training); null means [seed]. */
    seeds: z.array(z.int().nonnegative()).min(1).nullable().default(null),
    /** The conv layer whose output channels are ranked and pruned. */
    layer: z.string().min(1).default('conv2'),
    /** Importance criteria, one curve and one printed table each. */
    criteria: z.array(z.string().min(1)).min(1).default(['mean']),
    /** Criteria swept beside them for the report (no table printed); [] for none. */
    compare: z.array(z.string().min(1)).default(['l1', 'taylor', 'ablation']),
    /** Random prune orders swept as the control band; 0 for none. */
    randomOrders: z.int().nonnegative().default(5),
    /** Sweep the greedy oracle (an upper reference on the test pairs). */
    oracle: z.boolean().default(true),
    /** Where the channel statistics come from: the test pairs (the reference) or a held-out split of train. */
    calibration: z.enum(['test', 'train']).default('test'),
    /** Fraction of the train images (disjoint from the training subset) for the train calibration split. */
    calibrationFraction: fraction.default(0.1),
    calibrationPairs: positiveInt.default(2000),
    /** Epochs of fine-tuning after pruning, at every K in exportK; 0 = none (the reference). */
    fineTuneEpochs: z.int().nonnegative().default(0),
    /** K values at which the physically pruned model is exported (and fine-tuned when asked). */
    exportK: z.array(positiveInt).default([8, 16, 24]),
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    /** Threads of the wasm backend (its XNNPACK pool); null = every logical core. */
    threads: positiveInt.nullable().default(null),
    /** Parent folder of the run folders. */
    outDir: z.string().min(1).default('runs'),
    /** Name of the run folder; null derives one from the time and config. */
    runId: z
      .string()
      // Names starting with "." are the out-dir's own (.cache, temporaries, partial runs) and `latest` is its link.
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'start with a letter or digit, then use letters, digits, ".", "_" or "-" only')
      .refine((id) => id.toLowerCase() !== 'latest', "'latest' is the out-dir's link to the newest run; choose another name")
      .nullable()
      .default(null),
    /** Reuse a trained model with the same data and training config. */
    cache: z.boolean().default(true),
  })
  .strict();

/** A complete, validated run configuration. */
export type RunConfig = z.output<typeof runConfigSchema>;
/** A partial run configuration as written in a config file or given by flags. */
export type RunConfigInput = z.input<typeof runConfigSchema>;
