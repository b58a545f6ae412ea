import type { io } from '@tensorflow/tfjs-core';

/** Adam's hyperparameters, as every replica builds its own optimiser from them. */
export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Messages from the trainer to a gradient worker; each is answered in order, except `apply`. */
export type ToWorker =
  | { type: 'init'; artifacts: io.ModelArtifacts; dropoutSeed: number; adam: AdamConfig }
  | { type: 'gradients'; left: Float32Array; right: Float32Array; labels: Float32Array; total: number }
  | { type: 'apply'; gradients: Float32Array[] }
  | { type: 'weights' };

/** Answers of a gradient worker. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'gradients'; gradients: Float32Array[]; loss: number; correct: number }
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'error'; message: string };
