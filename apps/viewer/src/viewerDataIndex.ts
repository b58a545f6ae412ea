import { z } from 'zod';

/** A typed array stored as a raw little-endian binary file next to the index. */
export const arrayFileSchema = z.object({
  /** Path relative to the index file. */
  file: z.string().min(1),
  dtype: z.enum(['float32', 'int32', 'uint8']),
  shape: z.array(z.int().nonnegative()).min(1),
});

/**
 * The index of the what-if data in a run folder (viewer-data/index.json): the trained model of one seed, the layer
 * the run pruned, and the evaluation pairs (normalised images, pair indices into them, 0/1 labels). Paths are
 * relative to the index file.
 */
export const viewerDataIndexSchema = z.object({
  version: z.literal(1),
  seed: z.int().nonnegative(),
  layer: z.string().min(1),
  /** The trained tfjs-layers model (model.json with its weight files). */
  model: z.string().min(1),
  /** What the pairs are (e.g. "2000 test pairs"), shown next to the accuracy. */
  description: z.string().optional(),
  arrays: z.object({
    /** Normalised images [count, 28, 28, 1], float32. */
    images: arrayFileSchema,
    /** Index of each pair's left image [pairs], int32. */
    left: arrayFileSchema,
    /** Index of each pair's right image [pairs], int32. */
    right: arrayFileSchema,
    /** 1 = same digit [pairs], uint8. */
    labels: arrayFileSchema,
  }),
});

/** The parsed viewer-data index. */
export type ViewerDataIndex = z.output<typeof viewerDataIndexSchema>;
/** One binary array of the viewer data. */
export type ArrayFile = z.output<typeof arrayFileSchema>;
