import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { cleanUpAfter, disposeEach } from './cleanUpAfter';
import { ChannelStatsAccumulator, type ChannelStats, type DataFormat, type ReduceOn } from './ChannelStatsAccumulator';
import { describeLayers, listLayers, type LayerEntry } from './listLayers';
import { resolveLayerEntry } from './resolveLayer';
import { tapLayers } from './tapLayers';

/** What {@link collectActivationStats} tells `onPredictions` about the batch the predictions belong to. */
export interface PredictionBatch {
  /** 0-based index of the batch in the stream. */
  index: number;
  /** Samples in the batch. */
  size: number;
  /** Samples seen before this batch. */
  start: number;
}

/** Options of {@link collectActivationStats}. */
export interface CollectActivationStatsOptions {
  /** Layers to tap, by unique name or path (`conv2`, `encoder/conv2`); results are keyed by these strings. */
  layers: string[];
  /**
   * Channel axis of the tapped outputs. Default: the layer's own `dataFormat` when it has one (Conv2D, pooling),
   * else 'channelsLast'. A record sets it per layer path.
   */
  dataFormat?: DataFormat | Record<string, DataFormat>;
  /**
   * Receives the model's output for each batch from the same forward pass (no second pass), e.g. to compute
   * accuracy. The tensor is disposed once the returned promise (if any) settles: copy what you need.
   */
  onPredictions?: (output: Tensor | Tensor[], batch: PredictionBatch) => void | Promise<void>;
  /** Where batches are reduced (see {@link ReduceOn}; default 'device'). */
  reduceOn?: ReduceOn;
  /** Dispose each batch's input tensors after its pass (default false: the caller owns them). */
  disposeInputs?: boolean;
  /** Stops between batches with an error when aborted. */
  signal?: AbortSignal;
}

/** A batch of model inputs: one tensor for a single-input model, or one per input in `model.inputs` order. */
export type ModelInputs = Tensor | Tensor[];

/**
 * The rule for which layers have channels: a single output of rank 2 to 4 (`[B,units]`, `[B,L,C]`,
 * `[B,H,W,C]` or channels-first), and not a Flatten or Reshape, whose features mix positions and channels.
 *
 * @param entry - a layer from `listLayers`.
 * @returns Why its output has no channels to collect, or null.
 *
 * @example
 * ```ts
 * import { channelLayerProblem, listLayers } from '@prune/activations';
 *
 * for (const e of listLayers(model)) console.log(e.path, channelLayerProblem(e) ?? 'ok');
 * ```
 */
export function channelLayerProblem(entry: LayerEntry): string | null {
  if (entry.className === 'InputLayer') return 'is an InputLayer (never called); tap the layer it feeds';
  if (entry.className === 'Flatten' || entry.className === 'Reshape') {
    return `is a ${entry.className}: its features mix positions and channels; tap the layer before it`;
  }
  const shape = entry.outputShape;
  if (shape === null) return null; // unknown statically (e.g. multiple inbound shapes): checked per batch
  if (shape.length < 2 || shape.length > 4) {
    return `has output [${shape.map((d) => d ?? 'B').join(',')}] (rank ${shape.length}); statistics need rank 2 to 4`;
  }
  return null;
}

/**
 * The layers of a model that {@link collectActivationStats} can tap, with their paths.
 *
 * @param model - the model.
 *
 * @example
 * ```ts
 * import { listChannelLayers } from '@prune/activations';
 *
 * // The layers whose statistics can be collected:
 * console.log(listChannelLayers(model).map((e) => e.path));
 * ```
 */
export function listChannelLayers(model: LayersModel): LayerEntry[] {
  return listLayers(model).filter((e) => channelLayerProblem(e) === null && e.outputShape !== null);
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dataId' in value && 'shape' in value;
}

function layerDataFormat(entry: LayerEntry, option: CollectActivationStatsOptions['dataFormat'], path: string): DataFormat {
  const given = typeof option === 'string' ? option : option?.[path];
  if (given !== undefined) return given;
  const own = (entry.layer as unknown as { dataFormat?: unknown }).dataFormat;
  return own === 'channelsFirst' ? 'channelsFirst' : 'channelsLast';
}

/**
 * Runs the model once over every batch (`model.predict`, inference mode) and streams per-channel statistics of
 * each tapped layer's output, every application included (a shared Siamese encoder contributes both branches).
 * Memory stays bounded whatever the number of batches; the model's own output of the same pass goes to
 * `onPredictions`. Taps are removed afterwards, also on error.
 *
 * @param model - the model.
 * @param batches - model inputs, batch by batch (an array, a generator or an async iterable).
 * @param options - `layers` to tap, and `dataFormat`, `onPredictions`, `reduceOn`, `disposeInputs`, `signal`.
 * @returns Per layer, the exact per-channel statistics over every batch.
 *
 * @example
 * ```ts
 * import { collectActivationStats } from '@prune/activations';
 *
 * const stats = await collectActivationStats(model, [images], { layers: ['conv2'] });
 * console.log(stats['conv2']!.mean); // one mean activation per channel
 * ```
 */
export async function collectActivationStats(
  model: LayersModel,
  batches: Iterable<ModelInputs> | AsyncIterable<ModelInputs>,
  options: CollectActivationStatsOptions,
): Promise<Record<string, ChannelStats>> {
  const paths = options.layers;
  if (!Array.isArray(paths) || paths.length === 0) throw new Error('collectActivationStats: options.layers must name at least one layer');
  const duplicate = paths.find((p, i) => paths.indexOf(p) !== i);
  if (duplicate !== undefined) throw new Error(`collectActivationStats: layer '${duplicate}' is listed twice in options.layers`);
  const entries = listLayers(model);
  const accumulators = new Map<string, ChannelStatsAccumulator>();
  for (const path of paths) {
    const entry = resolveLayerEntry(model, path, entries);
    const problem = channelLayerProblem(entry);
    if (problem !== null) {
      throw new Error(
        `collectActivationStats: layer '${path}' (${entry.path}, ${entry.className}) ${problem}. ` +
          `Layers with channels:\n${describeLayers(listChannelLayers(model))}`,
      );
    }
    accumulators.set(path, new ChannelStatsAccumulator({ layer: path, dataFormat: layerDataFormat(entry, options.dataFormat, path), reduceOn: options.reduceOn }));
  }

  // Only this function's own forward passes count: a callback that runs the model again is not recorded.
  let inPass = false;
  const restore = tapLayers(model, paths, (path, output) => {
    if (inPass) accumulators.get(path)!.enqueue(output);
  });
  let index = 0;
  let start = 0;
  const pass = async (item: ModelInputs): Promise<void> => {
    if (options.signal?.aborted) throw new Error(`collectActivationStats: aborted before batch ${index}`);
    const inputs = Array.isArray(item) ? item : [item];
    if (inputs.length !== model.inputs.length || !inputs.every(isTensor)) {
      throw new Error(
        `collectActivationStats: batch ${index} must be ${model.inputs.length === 1 ? 'a Tensor' : `an array of ${model.inputs.length} Tensors`} ` +
          `(model '${model.name}' inputs: ${model.inputNames.join(', ')}), got ${describeItem(item)}`,
      );
    }
    const size = inputs[0]!.shape[0] ?? 0;
    let output: Tensor | Tensor[] | undefined;
    await cleanUpAfter(
      async () => {
        inPass = true;
        try {
          output = model.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize: Math.max(size, 1) });
        } finally {
          inPass = false;
        }
        for (const acc of accumulators.values()) await acc.flush();
        await options.onPredictions?.(output, { index, size, start });
      },
      () => {
        const outputs = output === undefined ? [] : Array.isArray(output) ? output : [output];
        disposeEach([...outputs, ...(options.disposeInputs ? inputs : [])]);
      },
    );
    index++;
    start += size;
  };
  await cleanUpAfter(
    async () => {
      for await (const item of batches) await pass(item);
    },
    (failed) => {
      restore();
      if (failed) for (const acc of accumulators.values()) acc.dispose();
    },
  );

  const result: Record<string, ChannelStats> = {};
  for (const [path, acc] of accumulators) {
    if (acc.imageCount === 0) {
      throw new Error(
        index === 0
          ? 'collectActivationStats: the batch stream was empty'
          : `collectActivationStats: layer '${path}' was never applied in ${index} batch(es); is it on the path from the model's inputs to its outputs?`,
      );
    }
    result[path] = acc.result();
  }
  return result;
}

function describeItem(item: unknown): string {
  if (Array.isArray(item)) return `an array of ${item.length} item(s)`;
  if (isTensor(item)) return `a Tensor [${item.shape.join(',')}]`;
  return item === null ? 'null' : typeof item;
}
