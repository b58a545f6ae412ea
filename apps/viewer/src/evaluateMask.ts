import type { MaskEvaluator } from '@prune/core';

/** Progress of a computation, in units done out of the total. */
export type ProgressCallback = (done: number, total: number) => void;

/** Result of one what-if evaluation. */
export interface MaskEvaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** The model's output (probability of "same digit") for every example. */
  probabilities: Float32Array;
  /** Wall time of the evaluation in milliseconds, including reading the result back. */
  ms: number;
}

/** The channels a page mask switches off: the indices whose entry is 0 (1 = on). */
export function channelsOff(mask: ArrayLike<number | boolean>): number[] {
  const off: number[] = [];
  for (let c = 0; c < mask.length; c++) if (!mask[c]) off.push(c);
  return off;
}

/**
 * Test pair accuracy ("same" at p ≥ 0.5, as the reference scores it) with the channels whose mask entry is 0
 * switched off, through @prune/core's mask evaluator.
 */
export function evaluateMask(evaluator: MaskEvaluator, mask: ArrayLike<number | boolean>): MaskEvaluation {
  if (mask.length !== evaluator.channels) throw new Error(`Mask has ${mask.length} entries, layer '${evaluator.layer}' has ${evaluator.channels} channels`);
  if (evaluator.outputSize !== 1) throw new Error(`The what-if model gives ${evaluator.outputSize} values per pair; the viewer needs one probability`);
  const started = performance.now();
  const { metric, predictions } = evaluator.evaluate(channelsOff(mask));
  return { accuracy: metric, correct: Math.round(metric * evaluator.count), count: evaluator.count, probabilities: predictions, ms: performance.now() - started };
}
