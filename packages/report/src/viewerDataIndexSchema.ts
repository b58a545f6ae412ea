import { z } from 'zod';

const file = z.string().min(1);

/**
 * The index of the what-if data a run ships (viewer-data/index.json, written by apps/experiment): the trained
 * model, the test images (raw bytes and their normalisation), the pairs as two rows of image indices, the labels,
 * and optionally the features of every test image at the cut after the pruned layer. Data files are relative to
 * the index; the model path is relative to the run folder.
 */
export const viewerDataIndexSchema = z.object({
  format: z.literal('prune-viewer-data'),
  version: z.literal(1),
  /** The pruned layer's path, e.g. 'encoder/conv2'. */
  layer: z.string().min(1),
  channels: z.int().positive(),
  /** The trained model (tfjs layers model.json), relative to the run folder. */
  model: file,
  images: z.object({
    file,
    dtype: z.literal('uint8'),
    shape: z.tuple([z.int().positive(), z.int().positive(), z.int().positive(), z.int().positive()]),
    /** pixel → (pixel / scale − mean) / std */
    normalise: z.object({ scale: z.number().positive(), mean: z.number(), std: z.number().positive() }),
  }),
  pairs: z.object({
    file,
    dtype: z.literal('int32'),
    shape: z.tuple([z.literal(2), z.int().positive()]),
    rows: z.tuple([z.string(), z.string()]),
  }),
  labels: z.object({ file, dtype: z.literal('uint8'), shape: z.tuple([z.int().positive()]) }),
  features: z
    .object({
      file,
      dtype: z.literal('float32'),
      /** [images, ...cut shape], NHWC */
      shape: z.array(z.int().positive()).min(2),
      layout: z.literal('NHWC'),
      /** The layer whose output the features are, e.g. 'encoder/pool2'. */
      cut: z.string().min(1),
      /** Layers between the pruned layer and the cut. */
      passThrough: z.array(z.string()),
      channelAxis: z.int().positive(),
    })
    .nullable(),
});

/** The parsed viewer-data index. */
export interface ViewerDataIndex extends z.output<typeof viewerDataIndexSchema> {}
