import type { io } from '@tensorflow/tfjs-core';

/** Messages from the trainer to a gradient worker; each is answered in order, except `apply`. */
export type ToWorker =
  | { type: 'init'; artifacts: io.ModelArtifacts; dropoutSeed: number; learningRate: number }
  | { type: 'gradients'; left: Float32Array; right: Float32Array; labels: Float32Array; total: number }
  | { type: 'apply'; gradients: Float32Array[] }
  | { type: 'weights' };

/** A replica's gradients of its shard's share of the batch loss, that loss share, and the pairs it got right. */
export interface GradientAnswer {
  type: 'gradients';
  gradients: Float32Array[];
  loss: number;
  correct: number;
}

/** Answers of a gradient worker. */
export type FromWorker =
  | { type: 'ready' }
  | GradientAnswer
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'error'; message: string };
