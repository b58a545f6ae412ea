import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/** An evaluation (or calibration) set held as tensors: what criteria and sweeps run the model on. */
export interface EvalData {
  /** The model's inputs for every example, in `model.inputs` order (one tensor per input, examples first). Owned by the caller. */
  inputs: tf.Tensor | readonly tf.Tensor[];
  /** One label per example (0/1 for a binary output, a class index or a one-hot row otherwise). */
  labels?: tf.Tensor | ArrayLike<number>;
}

/** The inputs as a list checked against the model: one per model input, all with the same example count. */
export function inputList(model: LayersModel, data: EvalData, caller: string): tf.Tensor[] {
  const list = Array.isArray(data.inputs) ? [...(data.inputs as readonly tf.Tensor[])] : [data.inputs as tf.Tensor];
  if (list.length !== model.inputs.length) {
    throw new Error(
      `${caller}: data.inputs has ${list.length} tensor(s) but model '${model.name}' has ${model.inputs.length} input(s) ` +
        `(${model.inputs.map((i) => i.name).join(', ')})`,
    );
  }
  const count = list[0]!.shape[0];
  list.forEach((t, i) => {
    if (t.isDisposed) throw new Error(`${caller}: data.inputs[${i}] is disposed`);
    if (t.shape[0] !== count) {
      throw new Error(`${caller}: data.inputs[${i}] has ${t.shape[0]} examples but data.inputs[0] has ${count}`);
    }
  });
  if (count === undefined || count === 0) throw new Error(`${caller}: data.inputs holds no examples`);
  return list;
}

/** The labels as floats, checked to hold one value (or one row of `outputSize`) per example. */
export function labelArray(data: EvalData, count: number, caller: string): Float32Array | null {
  if (data.labels === undefined) return null;
  const labels = data.labels instanceof tf.Tensor ? (data.labels.dataSync() as Float32Array) : data.labels;
  const out = Float32Array.from(labels as ArrayLike<number>);
  if (out.length === 0 || out.length % count !== 0) {
    throw new Error(`${caller}: data.labels has ${out.length} values for ${count} examples`);
  }
  return out;
}

/** Rows start … end-1 of every input tensor (new tensors, disposed by the caller). */
export function sliceInputs(inputs: readonly tf.Tensor[], start: number, end: number): tf.Tensor[] {
  return inputs.map((t) => tf.slice(t, start, end - start));
}

/** The batch size to use: the given one (a positive integer) or the default. */
export function checkBatchSize(batchSize: number | undefined, fallback: number, caller: string): number {
  const b = batchSize ?? fallback;
  if (!Number.isInteger(b) || b < 1) throw new Error(`${caller}: batchSize must be a positive integer, got ${batchSize}`);
  return b;
}
